// Progressive enhancement only: every page works without this file.
import { initAll } from '/assets/nhsuk-frontend.min.js'

// The NHS.UK components start only on a body marked as supported. The usual inline snippet
// that marks it is barred by the content security policy; a module script runs only where
// modules are supported, which is the same test, so it marks the body here.
document.body.classList.add('nhsuk-frontend-supported')
initAll()
