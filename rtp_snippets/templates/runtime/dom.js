// Page markup shadows DOM properties by name: <img name="title"> is document.title,
// <input name="action"> is its form's action. dom(object, name) reads the property
// `name` as the standard prototypes define it, skipping the object's own named
// properties; dom(object, name, args) calls that function with the list `args`.
function dom(object, name, args) {
  var found = Reflect.get(Object.getPrototypeOf(object), name, object);
  return args ? found.apply(object, args) : found;
}
