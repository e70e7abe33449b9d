// No `consent:` section: consent is granted (deliver.js reads it).
var consent = 1;
