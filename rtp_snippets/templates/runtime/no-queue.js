// navigation: send (or nothing queued): an event's rules run and send at once.
function handle(event, rules) {
  rules();
}
