// Progressive enhancement only: every page works without this file.
import { initAll } from '/assets/nhsuk-frontend.min.js'

// The NHS.UK components start only on a body marked as supported. The usual inline snippet
// that marks it is barred by the content security policy; a module script runs only where
// modules are supported, which is the same test, so it marks the body here.
document.body.classList.add('nhsuk-frontend-supported')
initAll()

// Conditional reveals under radio buttons: each choice shows the questions that belong to it.
// As the NHS.UK radios do it, less the aria-expanded they set, which ARIA does not allow on a
// radio button. Without this script every question shows.
for (const group of document.querySelectorAll('[data-wm-reveal]')) {
  const inputs = [...group.querySelectorAll('input[type=radio][data-wm-controls]')]
  const sync = () => {
    for (const input of inputs) {
      document.getElementById(input.dataset.wmControls)
        ?.classList.toggle('nhsuk-radios__conditional--hidden', !input.checked)
    }
  }
  for (const input of inputs) input.setAttribute('aria-controls', input.dataset.wmControls)
  group.addEventListener('change', sync)
  window.addEventListener('pageshow', sync)
  sync()
}

// A form sent back with a new slot (the plan's "Add another"): move to the slot's first field.
const focus = document.querySelector('form[data-wm-focus]')?.dataset.wmFocus
if (focus) document.getElementById(focus)?.focus()
