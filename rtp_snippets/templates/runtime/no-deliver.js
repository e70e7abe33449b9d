// Consent without deliver.js: nothing queued by another page to send on a grant.
function deliver() {}
