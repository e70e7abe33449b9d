// The site's own event (CONSENT_EVENT): heard on window in the capture phase, so also
// when it is dispatched on document or an element, bubbling or not.
w.addEventListener(CONSENT_EVENT, check, true);
