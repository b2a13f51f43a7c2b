// Walks every page template of whatmatters in headless Chromium, signed out and as several
// roles, and runs axe-core (WCAG 2.2 A and AA) on each: any violation fails the test.
// Needs a demo server: BASE_URL (default http://127.0.0.1:8181), its e-mail folder in OUTBOX_DIR.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readdir, readFile, mkdir } from 'node:fs/promises'
import { chromium } from 'playwright-core'
import AxeBuilder from '@axe-core/playwright'

const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8181'
const OUTBOX = process.env.OUTBOX_DIR ?? 'outbox-demo'
const PASSWORD = 'whatmatters-demo'
const SCREENSHOTS = process.env.SCREENSHOTS
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']

let browser
const checked = []

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
})

after(async () => {
  await browser?.close()
  console.log(`axe-core checked ${checked.length} pages: ${checked.join(', ')}`)
})

// What went wrong loading each page's own assets (stylesheets, scripts, icons, under /assets/
// by their hashed or plain names) or running its script, checked with each page.
const broken = new WeakMap()

async function context () {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await ctx.newPage()
  const problems = []
  page.on('response', r => {
    const url = new URL(r.url())
    if (url.origin === new URL(BASE).origin && url.pathname.startsWith('/assets/') && r.status() >= 400) {
      problems.push(`${url.pathname} answered ${r.status()}`)
    }
  })
  page.on('pageerror', e => problems.push(`script error: ${e.message}`))
  // Errors on the console (the NHS.UK script reports there when it cannot start its
  // components; the browser, when the page's own CSP refuses something it asks for), except
  // the browser's note of a page answered with an error status (asked for on purpose, and
  // the assets' statuses are checked above).
  page.on('console', m => {
    const text = m.text()
    if (m.type() === 'error' && !/Failed to load resource/.test(text)) {
      problems.push(`console: ${text}`)
    }
  })
  broken.set(page, problems)
  return { ctx, page }
}

async function axe (page, label) {
  assert.deepEqual(broken.get(page).splice(0), [], `${label} (${page.url()}) has broken assets`)
  assert.ok(
    await page.evaluate(() => document.body.classList.contains('nhsuk-frontend-supported')),
    `${label} (${page.url()}): the NHS.UK components were not started`)
  // At a desktop width and at a small phone's: no violations at either, and nothing wider
  // than the phone's screen (a table may scroll inside its own region).
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 })
    const result = await new AxeBuilder({ page }).withTags(TAGS).analyze()
    const problems = result.violations.map(v =>
      `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target.join(' ')).join(' | ')}`)
    assert.deepEqual(problems, [], `${label} (${page.url()}) has accessibility violations at ${width} px`)
    const wide = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(wide <= width, `${label} (${page.url()}) is ${wide} px wide at ${width} px`)
  }
  await page.setViewportSize({ width: 1280, height: 900 })
  checked.push(label)
}

async function visit (page, path, label, status = 200) {
  const resp = await page.goto(BASE + path)
  assert.equal(resp.status(), status, `${label}: ${path} answered ${resp.status()}`)
  await axe(page, label)
}

async function signIn (page, email) {
  await page.goto(BASE + '/sign-in')
  await page.fill('#email', email)
  await page.fill('#password', PASSWORD)
  await Promise.all([page.waitForURL(BASE + '/'), page.click('button[type=submit]')])
}

async function shot (page, name) {
  if (!SCREENSHOTS) return
  await mkdir(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: false })
}

test('signed-out pages are accessible', async () => {
  const { ctx, page } = await context()
  await visit(page, '/', 'landing page')
  await visit(page, '/sign-in', 'sign in')
  await page.fill('#email', 'link.worker@demo.whatmatters.test')
  await page.fill('#password', 'not the password')
  await page.click('button[type=submit]')
  await page.waitForSelector('.nhsuk-error-summary')
  assert.match(await page.title(), /^Error: /)
  await axe(page, 'sign in with an error')
  await visit(page, '/password-reset', 'password reset request')
  await visit(page, '/password-reset/not-a-real-token', 'expired reset link', 410)
  await visit(page, '/no/such/page', 'not found', 404)
  await visit(page, '/api/docs', 'API documentation')
  await ctx.close()
})

test('finding community support near a postcode, as a member of the public', async () => {
  const { ctx, page } = await context()
  await visit(page, '/find-support', 'find support')
  await page.fill('#postcode', 'not a postcode')
  await page.click('button[type=submit]')
  await page.waitForSelector('.nhsuk-error-summary')
  assert.match(await page.title(), /^Error: /)
  assert.equal(await page.evaluate(() => document.activeElement.closest('.nhsuk-error-summary') !== null), true, 'the error summary takes the focus')
  await axe(page, 'find support with an error')
  await page.fill('#postcode', 'RD1 4CC')
  await page.selectOption('#need', { label: 'Physical activity' })
  await page.click('button[type=submit]')
  await page.waitForSelector('#results')
  const first = page.locator('.wm-results li').first()
  assert.match(await first.innerText(), /miles away/)
  await shot(page, 'find-support')
  await axe(page, 'find support results')
  await first.locator('a').first().click()
  await page.waitForSelector('h2:has-text("Contact")')
  await axe(page, 'a community service')
  await ctx.close()
})

test('connecting a person to a community service: refer, the organisation accepts, they attend, the link worker sees it', async () => {
  const lw = await context()
  await signIn(lw.page, 'link.worker@demo.whatmatters.test')
  await lw.page.goto(BASE + '/people?q=aisha+begum')
  await lw.page.click('text=Aisha Begum')
  await lw.page.waitForSelector('h1:has-text("Aisha Begum")')
  await lw.page.click('text=Connect Aisha to a community service')
  await lw.page.waitForSelector('h1:has-text("Connect to a community service")')
  await axe(lw.page, 'connect to a community service')
  await lw.page.selectOption('#need', { label: 'Carers' })
  await lw.page.fill('#postcode', 'RD1 4CC')
  await lw.page.click('button:has-text("Search")')
  await lw.page.waitForSelector('#results')
  await axe(lw.page, 'community services for a person')
  await lw.page.locator('.wm-results li', { hasText: 'Carers\' assessment and breaks advice' }).locator('a:has-text("Refer")').click()
  await lw.page.waitForSelector('h1:has-text("Refer Aisha")')
  await axe(lw.page, 'refer to a community service')
  // Aisha agreed to share with the Carers Centre when she was referred to its cuppa.
  assert.match(await lw.page.content(), /has agreed to share their details with Riverdale Carers Centre/)
  await lw.page.click('button:has-text("Send the referral")')
  await lw.page.waitForSelector('.nhsuk-error-summary')
  await axe(lw.page, 'refer to a community service with an error')
  await lw.page.fill('#reason', 'Caring for her mother full time; would like to plan a break')
  await lw.page.click('button:has-text("Send the referral")')
  await lw.page.waitForSelector('text=The referral has been sent')
  assert.match(await lw.page.content(), /Sent, waiting for a reply/)
  const record = lw.page.url().replace(/\?.*$/, '')

  const org = await context()
  await signIn(org.page, 'vcse@demo.whatmatters.test')
  await visit(org.page, '/inbox', 'referrals inbox')
  await org.page.click('table >> text=Aisha Begum')
  await org.page.waitForSelector('h1:has-text("Aisha Begum")')
  assert.match(await org.page.content(), /plan a break/)
  await axe(org.page, 'a referral in the inbox')
  await org.page.check('#decision-decline')
  await org.page.waitForSelector('#decline_reason', { state: 'visible' })
  await org.page.check('#decision')
  await org.page.click('button:has-text("Send your answer")')
  await org.page.waitForSelector('text=You have accepted the referral')
  await axe(org.page, 'an accepted referral')
  await org.page.check('#attended')
  await org.page.click('button:has-text("Record attendance")')
  await org.page.waitForSelector('text=Attendance has been recorded')
  await shot(org.page, 'inbox-referral')

  await lw.page.goto(record)
  const steps = await lw.page.locator('li', { hasText: 'assessment and breaks advice' }).innerText()
  assert.match(steps, /Attended/)
  assert.match(steps, /accepted/)
  await axe(lw.page, 'person record with a community referral')
  await org.ctx.close()
  await lw.ctx.close()
})

test('keeping a listing right: the organisation changes it, a curator publishes it', async () => {
  const org = await context()
  await signIn(org.page, 'vcse@demo.whatmatters.test')
  await visit(org.page, '/directory/listings', 'directory listings (organisation)')
  await org.page.click('text=Carers\' assessment and breaks advice')
  await org.page.waitForSelector('h2:has-text("Change the listing")')
  await axe(org.page, 'change a listing')
  await org.page.fill('#postcode', 'nowhere')
  await org.page.click('button:has-text("Send for checking")')
  await org.page.waitForSelector('.nhsuk-error-summary')
  await axe(org.page, 'change a listing with an error')
  await org.page.fill('#postcode', 'RD1 4CC')
  await org.page.fill('#wait_time', 'About two weeks for an appointment')
  await org.page.click('button:has-text("Send for checking")')
  await org.page.waitForSelector('text=Your change has been sent')
  await org.ctx.close()

  const cur = await context()
  await signIn(cur.page, 'commissioner@demo.whatmatters.test')
  await visit(cur.page, '/directory/changes', 'changes to publish')
  await cur.page.click('table >> text=Carers\' assessment and breaks advice')
  await cur.page.waitForSelector('caption:has-text("What changes")')
  assert.match(await cur.page.content(), /About two weeks for an appointment/)
  await axe(cur.page, 'a change to publish')
  await cur.page.click('button:has-text("Publish")')
  await cur.page.waitForSelector('text=The listing has been published')
  await visit(cur.page, '/directory/listings', 'directory listings (curator)')
  await cur.ctx.close()
})

test('password reset by e-mailed link', async () => {
  const { ctx, page } = await context()
  const before = new Set(await readdir(OUTBOX).catch(() => []))
  await page.goto(BASE + '/password-reset')
  await page.fill('#email', 'coach@demo.whatmatters.test')
  await page.click('button[type=submit]')
  await page.waitForSelector('h1:has-text("Check your email")')
  await axe(page, 'reset link sent')
  // The demo writes e-mails as .eml files. The job worker delivers one as soon as the request
  // that queued it commits, so it is normally there already; allow two seconds on a slow machine.
  let link
  for (let i = 0; i < 40 && !link; i++) {
    if (i > 0) await new Promise(resolve => setTimeout(resolve, 50))
    const files = await readdir(OUTBOX).catch(() => [])
    for (const f of files.filter(f => f.endsWith('.eml') && !before.has(f))) {
      const text = (await readFile(`${OUTBOX}/${f}`, 'utf8')).replace(/=\r?\n/g, '')
      if (text.includes('coach@demo.whatmatters.test')) link = text.match(/https?:\/\/\S+\/password-reset\/[A-Za-z0-9_-]+/)?.[0]
    }
  }
  assert.ok(link, `no reset e-mail arrived in ${OUTBOX}`)
  await page.goto(BASE + new URL(link).pathname)
  await axe(page, 'choose a new password')
  await page.fill('#password', 'short')
  await page.fill('#confirm', 'short')
  await page.click('button[type=submit]')
  await page.waitForSelector('.nhsuk-error-summary')
  await axe(page, 'choose a new password with an error')
  await page.fill('#password', PASSWORD)
  await page.fill('#confirm', PASSWORD)
  await Promise.all([page.waitForURL(/\/sign-in\?reset=1/), page.click('button[type=submit]')])
  await axe(page, 'sign in after a reset')
  await ctx.close()
})

test('an administrator can walk every admin page', async () => {
  const { ctx, page } = await context()
  await signIn(page, 'admin@demo.whatmatters.test')
  await axe(page, 'home (admin)')
  await shot(page, 'home')
  await visit(page, '/organisations', 'organisations list')
  await shot(page, 'organisations')
  await visit(page, '/organisations?kind=practice&page=1', 'organisations filtered')
  await page.click('text=Riverside Medical Centre')
  await page.waitForSelector('h1:has-text("Riverside Medical Centre")')
  await axe(page, 'organisation page')
  await page.click('text=Edit')
  await page.waitForSelector('h1:has-text("Edit Riverside Medical Centre")')
  await axe(page, 'edit organisation')
  await page.fill('#list_size', 'many')
  await page.click('button[type=submit]')
  await page.waitForSelector('.nhsuk-error-summary')
  await axe(page, 'edit organisation with an error')
  await page.fill('#list_size', '8300')
  await page.click('button[type=submit]')
  await page.waitForSelector('text=Your changes have been saved')
  await axe(page, 'organisation saved')
  await visit(page, '/organisations/new', 'add organisation')
  await page.click('button[type=submit]')
  await page.waitForSelector('.nhsuk-error-summary')
  await axe(page, 'add organisation with errors')
  // A forged CSRF token is refused with its own page.
  await page.goto(BASE + '/organisations/new')
  await page.evaluate(() => { document.querySelector('form[action="/organisations/new"] input[name=csrf_token]').value = 'forged' })
  await page.selectOption('#kind', 'vcse')
  await page.fill('#name', 'Forged Community Group')
  await page.click('button[type=submit]')
  await page.waitForSelector('h1:has-text("This form has expired")')
  await axe(page, 'form expired (CSRF)')
  await visit(page, '/admin/users', 'users')
  // Invite a member of staff, give them another role, close and reopen the account.
  await page.click('text=Invite a member of staff')
  await page.waitForSelector('h1:has-text("Invite a member of staff")')
  await axe(page, 'invite a member of staff')
  await page.click('button:has-text("Send the invitation")')
  await page.waitForSelector('.nhsuk-error-summary')
  await axe(page, 'invite with errors')
  await page.fill('#display_name', 'Grace Okafor')
  await page.fill('#email', 'grace.okafor@demo.whatmatters.test')
  await page.selectOption('#role', 'health_and_wellbeing_coach')
  await page.selectOption('#organisation_id', { label: 'Riverdale Central PCN' })
  await page.click('button:has-text("Send the invitation")')
  await page.waitForSelector('text=The invitation has been sent')
  await axe(page, 'member of staff (invited)')
  await page.selectOption('#role', 'care_coordinator')
  await page.selectOption('#organisation_id', { label: 'Riverdale Central PCN' })
  await page.click('button:has-text("Give the role")')
  await page.waitForSelector('text=The role has been given')
  await page.click('button:has-text("Close the account")')
  await page.waitForSelector('text=The account is closed')
  await axe(page, 'member of staff (closed)')
  await page.click('button:has-text("Reopen the account")')
  await page.waitForSelector('text=The account is open again')
  await visit(page, '/admin/audit', 'audit log')
  await visit(page, '/admin/audit?from=2026-13-45', 'audit log with an error', 422)
  await visit(page, '/account', 'account')
  await page.fill('#name', 'Accessibility test client')
  await page.click('text=Create token')
  await page.waitForSelector('#new-token')
  await axe(page, 'account with a new API token')
  await page.click('button:has-text("Revoke")')
  await page.waitForSelector('text=The token has been revoked')
  await axe(page, 'account after revoking')
  await visit(page, '/api/docs', 'API documentation (signed in)')
  await ctx.close()
})

test('care staff see their own PCN and are refused another', async () => {
  const admin = await context()
  await signIn(admin.page, 'admin@demo.whatmatters.test')
  await admin.page.goto(BASE + '/organisations?q=U90004')
  const href = await admin.page.getAttribute('a:has-text("Fellside PCN")', 'href')
  await admin.ctx.close()

  const { ctx, page } = await context()
  await signIn(page, 'link.worker@demo.whatmatters.test')
  await axe(page, 'home (link worker)')
  await visit(page, '/organisations', 'organisations (link worker)')
  await visit(page, href, 'refused: another PCN', 403)
  await ctx.close()
})

test('each role has its own home page', async () => {
  for (const [email, label, shows] of [
    ['person@demo.whatmatters.test', 'home (person)', 'Your next step'],
    ['pcn.manager@demo.whatmatters.test', 'home (PCN manager)', 'Your team’s workload|Your team&#39;s workload|Your team\'s workload'],
    ['gp@demo.whatmatters.test', 'home (GP)', 'Refer someone'],
    ['care.coordinator@demo.whatmatters.test', 'home (care coordinator)', 'New referrals to triage'],
    ['commissioner@demo.whatmatters.test', 'home (commissioner)', 'Organisations you can see']
  ]) {
    const { ctx, page } = await context()
    await signIn(page, email)
    await axe(page, label)
    assert.match(await page.content(), new RegExp(shows), label)
    assert.doesNotMatch(await page.content(), /Where you work/, label)
    await shot(page, label.replace(/[^a-z]+/gi, '-').replace(/-$/, ''))
    if (email.startsWith('gp@')) {
      // A patient's referral, read-only.
      await page.click('table >> text=Jack Turner')
      await page.waitForSelector('h1:has-text("Jack Turner")')
      await axe(page, 'referral (GP, read-only)')
      assert.doesNotMatch(await page.content(), /What you can do/)
    }
    await ctx.close()
  }
})

test('signing out works', async () => {
  const { ctx, page } = await context()
  await signIn(page, 'vcse@demo.whatmatters.test')
  await axe(page, 'home (VCSE worker)')
  await Promise.all([page.waitForURL(/\/sign-in/), page.click('button:has-text("Sign out")')])
  const resp = await page.goto(BASE + '/account')
  assert.match(page.url(), /\/sign-in\?next=/)
  assert.equal(resp.status(), 200)
  await ctx.close()
})

test('care journey: self-referral, triage, first contact, About me, plan, ONS4 and SWEMWBS twice, discharge, message to the GP', async () => {
  const pub = await context()
  await visit(pub.page, '/self-referral', 'self-referral form')
  await pub.page.click('button:has-text("Continue")')
  await pub.page.waitForSelector('.nhsuk-error-summary')
  await axe(pub.page, 'self-referral with errors')
  // Every error links to a field on the page, and the summary reads in the form's order.
  const links = await pub.page.$$eval('.nhsuk-error-summary__list a', as => as.map(a => a.getAttribute('href')))
  for (const href of links) {
    assert.ok(await pub.page.$(href), `the error link ${href} leads to a field`)
  }
  assert.equal(links[0], '#given_name')
  await pub.page.fill('#given_name', 'Elsie')
  await pub.page.fill('#family_name', 'Brennan')
  await pub.page.fill('#date_of_birth-day', '3')
  await pub.page.fill('#date_of_birth-month', '10')
  await pub.page.fill('#date_of_birth-year', '1946')
  await pub.page.selectOption('#practice_id', { label: 'Riverside Medical Centre' })
  await pub.page.fill('#phone', '07700 900555')
  await pub.page.check('#service')
  await pub.page.fill('#reason', 'I have been very lonely since my sister moved away')
  await pub.page.check('#consent_to_contact')
  await pub.page.click('button:has-text("Continue")')
  // Check the answers, change one (the form opens at it), and send.
  await pub.page.waitForSelector('h1:has-text("Check your answers")')
  await axe(pub.page, 'self-referral: check your answers')
  await pub.page.click('button[name="change"][value="reason"]')
  await pub.page.waitForSelector('h1:has-text("Refer yourself")')
  assert.equal(await pub.page.evaluate(() => document.activeElement?.id), 'reason')
  await pub.page.fill('#reason', 'I have been very lonely since my sister moved away, and I miss singing')
  await pub.page.click('button:has-text("Continue")')
  await pub.page.waitForSelector('h1:has-text("Check your answers")')
  await pub.page.click('button:has-text("Send my referral")')
  await pub.page.waitForSelector('h1:has-text("Your referral has been sent")')
  await axe(pub.page, 'self-referral sent')
  await pub.ctx.close()

  const { ctx, page } = await context()
  await signIn(page, 'link.worker@demo.whatmatters.test')
  await visit(page, '/caseload', 'caseload')
  await shot(page, 'caseload')
  await visit(page, '/caseload?review_due_by=2026-99-01', 'caseload with an error', 422)
  await visit(page, '/caseload/no-one-lost', 'no one lost')
  await visit(page, '/people?q=jack+turnr', 'find a person')
  await page.click('text=Jack Turner')
  await page.waitForSelector('h1:has-text("Jack Turner")')
  await axe(page, 'person record')
  await shot(page, 'person')
  await page.click('text=Change details or record consent')
  await page.waitForSelector('h1:has-text("Details")')
  await axe(page, 'person details')
  await page.fill('#nhs_number', '12345')
  await page.click('button:has-text("Save details")')
  await page.waitForSelector('.nhsuk-error-summary')
  await axe(page, 'person details with an error')
  await page.goBack()
  await page.goto(page.url().replace(/\/edit$/, ''))
  await page.waitForSelector('h1:has-text("Jack Turner")')
  await page.click('text=See or record shared decisions')
  await page.waitForSelector('h1:has-text("Shared decisions")')
  await axe(page, 'shared decisions')
  await page.click('button:has-text("Record the decision")')
  await page.waitForSelector('.nhsuk-error-summary')
  await axe(page, 'shared decisions with errors')
  await visit(page, '/referrals/new', 'make a referral')
  await page.click('button:has-text("Send referral")')
  await page.waitForSelector('.nhsuk-error-summary')
  await axe(page, 'make a referral with errors')

  await page.goto(BASE + '/caseload?state=triage&worker=anyone')
  await page.click('text=Elsie Brennan')
  await page.waitForSelector('h1:has-text("Elsie Brennan")')
  await axe(page, 'referral waiting for triage')
  await shot(page, 'referral')
  // Triage: accept and give it to a worker.
  await page.click('text=Triage: accept, signpost or turn down')
  await page.waitForSelector('h1:has-text("Triage the referral")')
  await axe(page, 'triage')
  await page.click('button:has-text("Save the decision")')
  await page.waitForSelector('.nhsuk-error-summary')
  await axe(page, 'triage with errors')
  await page.check('#decision')
  await page.selectOption('#assign_to', { label: 'Amira Khan' })
  await page.click('button:has-text("Save the decision")')
  await page.waitForSelector('text=The referral has been accepted and assigned')
  await axe(page, 'referral after triage')
  // First contact, on its own page.
  await page.click('text=Record a contact')
  await page.waitForSelector('h1:has-text("Record a contact")')
  await axe(page, 'record a contact')
  await page.fill('#time', 'teatime')
  await page.click('button:has-text("Record contact")')
  await page.waitForSelector('.nhsuk-error-summary')
  await axe(page, 'record a contact with errors')
  await page.check('#kind')
  await page.fill('#time', '')
  await page.fill('#duration_minutes', '30')
  await page.fill('#notes', 'Talked about what matters to her: her garden and her church choir')
  await page.click('button:has-text("Record contact")')
  await page.waitForSelector('text=The contact has been recorded')
  await axe(page, 'referral after a contact')
  // A follow-up for today reaches the home page.
  await page.click('text=Set a follow-up')
  await page.waitForSelector('h1:has-text("Set a follow-up")')
  await axe(page, 'set a follow-up')
  await page.click('button:has-text("Set follow-up")')
  await page.waitForSelector('.nhsuk-error-summary')
  await axe(page, 'set a follow-up with errors')
  const today = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'numeric', year: 'numeric' })
    .formatToParts(new Date()).map(p => [p.type, p.value]))
  await page.fill('#due_on-day', today.day)
  await page.fill('#due_on-month', today.month)
  await page.fill('#due_on-year', today.year)
  await page.fill('#note', 'Ask Elsie how the first choir practice went')
  await page.click('button:has-text("Set follow-up")')
  await page.waitForSelector('text=The follow-up has been set')
  const referralPage = page.url().replace(/\?.*$/, '')
  await visit(page, referralPage.replace(BASE, '') + '/assign', 'assign')
  await visit(page, referralPage.replace(BASE, '') + '/state', 'change the status')
  await visit(page, '/', 'home (link worker, with a follow-up due)')
  assert.match(await page.content(), /Ask Elsie how the first choir practice went/)
  await shot(page, 'home-link-worker')
  await page.goto(referralPage)
  // What matters: About Me, then wellbeing at the start and at review.
  const referralUrl = page.url()
  await page.click("text=Elsie Brennan's record")
  await page.waitForSelector('h1:has-text("Elsie Brennan")')
  await page.click('text=Write or update About me')
  await page.waitForSelector('h1:has-text("About me")')
  await axe(page, 'About me form')
  await page.fill('#most_important', 'My garden, my church choir and seeing my sister')
  await page.fill('#communication', 'I am a little deaf: face me and speak slowly')
  await page.fill('#helped_by', 'Elsie with Amira')
  await page.click('button:has-text("Save About me")')
  await page.waitForSelector('text=My garden, my church choir')
  await page.click('text=Write or update the plan')
  await page.waitForSelector('h1:has-text("Personalised care and support plan")')
  await axe(page, 'plan form')
  await page.fill('#strengths', 'Warm, musical, a keen gardener')
  await page.fill('#n0_description', 'Lonely since her sister moved away')
  await page.fill('#n0_g0_description', 'Sing with other people again')
  await page.fill('#n0_g0_importance', '11')
  await page.fill('#n0_g0_a0_what', 'Go to choir practice on Thursday')
  await page.fill('#n0_g0_a0_who', 'Elsie, with a lift from her neighbour')
  await page.fill('#n0_g0_a0_when-day', '26')
  await page.fill('#n0_g0_a0_when-month', '11')
  await page.fill('#n0_g0_a0_when-year', '2026')
  await page.fill('#n0_g0_a0_confidence', '7')
  // Another goal by keyboard alone: the new goal's first field takes the focus, and what was
  // typed is kept.
  await page.focus('button[value="n0_g"]')
  await page.keyboard.press('Enter')
  await page.waitForSelector('#n0_g1_description')
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'n0_g1_description')
  await page.keyboard.type('Get out to the garden centre')
  assert.equal(await page.inputValue('#n0_g0_a0_what'), 'Go to choir practice on Thursday')
  await axe(page, 'plan form with another goal')
  await page.click('button.nhsuk-button:has-text("Save the plan")')
  await page.waitForSelector('.nhsuk-error-summary')
  await axe(page, 'plan form with an error')
  await page.fill('#n0_g0_importance', '9')
  await page.click('button.nhsuk-button:has-text("Save the plan")')
  await page.waitForSelector('text=Sing with other people again')
  await axe(page, 'printable plan (staff)')
  await page.goto(page.url().replace(/\/plan(\?.*)?$/, ''))
  await page.waitForSelector('h1:has-text("Elsie Brennan")')
  // Each questionnaire on its own page, answered by choosing (the first choice's id is the
  // question's own).
  const answer = async (inst, answers, first) => {
    for (const [i, v] of answers.entries()) {
      await page.check(v === first ? `#${inst}_${i}` : `#${inst}_${i}-${v}`)
    }
  }
  await page.click('text=Record ONS4, SWEMWBS or patient activation')
  await page.waitForSelector('h1:has-text("Wellbeing questionnaires")')
  await axe(page, 'questionnaires')
  await page.click('text=SWEMWBS mental wellbeing')
  await page.waitForSelector('h1:has-text("SWEMWBS mental wellbeing")')
  await axe(page, 'SWEMWBS questionnaire')
  await answer('swemwbs', [3, 3, 2, 3, 3, 2], 1)
  await page.fill('#taken_on-year', '2099')
  await page.click('button:has-text("Save the answers")')
  await page.waitForSelector('.nhsuk-error-summary')
  await axe(page, 'SWEMWBS questionnaire with errors')
  await answer('swemwbs', [3, 3, 2, 3, 3, 2, 3], 1)
  const year = String(new Date().getFullYear())
  await page.fill('#taken_on-year', year)
  await page.click('button:has-text("Save the answers")')
  await page.waitForSelector('h1:has-text("Elsie Brennan")')
  await page.click('text=Record ONS4, SWEMWBS or patient activation')
  await page.click('text=ONS4 personal wellbeing')
  await page.waitForSelector('h1:has-text("ONS4 personal wellbeing")')
  await axe(page, 'ONS4 questionnaire')
  await answer('ons4', [5, 6, 5, 6], 0)
  await page.click('button:has-text("Save the answers")')
  await page.waitForSelector('h1:has-text("Elsie Brennan")')
  await page.click('text=Record ONS4, SWEMWBS or patient activation')
  await page.click('text=SWEMWBS mental wellbeing')
  await page.check('#timepoint-review')
  await answer('swemwbs', [4, 4, 3, 4, 4, 3, 4], 1)
  await page.click('button:has-text("Save the answers")')
  await page.waitForSelector('svg.wm-chart')
  assert.match(await page.content(), /Metric score 23.21/)
  await axe(page, 'person record with a wellbeing chart')
  await page.goto(referralUrl)
  await page.click('a:has-text("Discharge")')
  await page.waitForSelector('h1:has-text("Discharge Elsie Brennan")')
  await axe(page, 'discharge form')
  await page.click('button:has-text("Discharge and write the message")')
  await page.waitForSelector('.nhsuk-error-summary')
  await axe(page, 'discharge with errors')
  await page.check('#reason-connected_to_support')
  await page.fill('#summary', 'Joined the choir at St Mary\'s and the Tuesday lunch club')
  await page.click('button:has-text("Discharge and write the message")')
  await page.waitForSelector('h1:has-text("Messages to the GP and referrer")')
  assert.match(await page.content(), /871731000000106/)
  await axe(page, 'message to the GP')
  await ctx.close()
})

test('a person sees their own plan, writes About me and answers the questions', async () => {
  const { ctx, page } = await context()
  await signIn(page, 'person@demo.whatmatters.test')
  await axe(page, 'home (person, with link)')
  await visit(page, '/me', 'your plan and support')
  await shot(page, 'me')
  await page.click('text=Read or print your whole plan')
  await page.waitForSelector('h1:has-text("Personalised care and support plan")')
  await axe(page, 'printable plan')
  await page.goto(BASE + '/me')
  await page.click('text=Write or change your About me')
  await page.waitForSelector('h1:has-text("About me")')
  await axe(page, 'About me (person)')
  await page.fill('#also_worth_knowing', 'I used to be a postman and know every street in Riverdale')
  await page.click('button:has-text("Save About me")')
  await page.waitForSelector('text=About me has been saved')
  await page.click('text=Answer the wellbeing questions')
  await page.waitForSelector('h1:has-text("Wellbeing questionnaires")')
  await axe(page, 'questionnaires (person)')
  await page.click('text=ONS4 personal wellbeing')
  await page.waitForSelector('h1:has-text("ONS4 personal wellbeing")')
  await axe(page, 'ONS4 questionnaire (person)')
  for (const [i, v] of [6, 7, 6, 4].entries()) await page.check(`#ons4_${i}-${v}`)
  await page.click('button:has-text("Save the answers")')
  await page.waitForSelector('text=The answers have been saved')
  await axe(page, 'your plan after answering')
  await ctx.close()
})

test('booking events: a guest books a free place by e-mail, a coach checks out an invoiced basket, the organiser marks it paid', async () => {
  const guest = await context()
  const page = guest.page
  await visit(page, '/learning', 'events and courses')
  await page.selectOption('#format', { label: 'Face to face and online' })
  await page.fill('#from-day', '31')
  await page.fill('#from-month', '2')
  await page.fill('#from-year', '2027')
  await page.click('button:has-text("Search")')
  await page.waitForSelector('.nhsuk-error-summary')
  assert.match(await page.title(), /^Error: /)
  assert.equal(await page.evaluate(() => document.activeElement.closest('.nhsuk-error-summary') !== null), true, 'the error summary takes the focus')
  await axe(page, 'events and courses with an error')
  await page.goto(BASE + '/learning')
  await shot(page, 'learning')
  await page.click('text=Shared decision making in practice')
  await page.waitForSelector('h1:has-text("Shared decision making in practice")')
  await axe(page, 'an event')
  await page.click('button:has-text("Book a place")')
  await page.waitForSelector('.nhsuk-error-summary')
  await axe(page, 'an event with an error')
  await page.check('#mode-online')
  await page.fill('#name', 'Pat Guest')
  await page.fill('#email', 'pat.guest@example.org')
  const before = new Set(await readdir(OUTBOX).catch(() => []))
  await page.click('button:has-text("Book a place")')
  await page.waitForSelector('text=Your places are booked')
  await axe(page, 'a booking')
  // The confirmation e-mail links back to the booking, which it can cancel.
  let link
  for (let i = 0; i < 40 && !link; i++) {
    if (i > 0) await new Promise(resolve => setTimeout(resolve, 50))
    const files = await readdir(OUTBOX).catch(() => [])
    for (const f of files.filter(f => f.endsWith('.eml') && !before.has(f))) {
      const text = (await readFile(`${OUTBOX}/${f}`, 'utf8')).replace(/=\r?\n/g, '').replace(/=3D/g, '=')
      if (text.includes('pat.guest@example.org')) link = text.match(/https?:\/\/\S+\/learning\/bookings\/WM-[A-Z0-9]+\?token=[A-Za-z0-9_-]+/)?.[0]
    }
  }
  assert.ok(link, `no booking e-mail arrived in ${OUTBOX}`)
  await guest.ctx.close()
  const later = await context()
  await later.page.goto(BASE + new URL(link).pathname + new URL(link).search)
  await later.page.click('button:has-text("Cancel booking")')
  await later.page.waitForSelector('text=The booking is cancelled')
  await axe(later.page, 'a cancelled booking')
  await later.ctx.close()

  const coach = await context()
  await signIn(coach.page, 'coach@demo.whatmatters.test')
  await coach.page.goto(BASE + '/learning?price=paid')
  await coach.page.click('text=Personalised care and support planning masterclass')
  await coach.page.fill('#places', '2')
  await coach.page.click('button:has-text("Add to basket")')
  await coach.page.waitForSelector('h1:has-text("Your basket")')
  await axe(coach.page, 'a basket')
  await coach.page.click('button:has-text("Book and ask for an invoice")')
  await coach.page.waitForSelector('.nhsuk-error-summary')
  await axe(coach.page, 'a basket with an error')
  await coach.page.fill('#po_number', 'PO-2231')
  await coach.page.click('button:has-text("Book and ask for an invoice")')
  await coach.page.waitForSelector('text=Booked, waiting for payment')
  const code = (await coach.page.locator('h1').innerText()).replace('Booking ', '')
  await visit(coach.page, '/learning/bookings', 'your bookings')

  const organiser = await context()
  await signIn(organiser.page, 'network.organiser@demo.whatmatters.test')
  await visit(organiser.page, '/learning/organise', 'events you organise')
  await organiser.page.click(`button:has-text("Mark paid"):has(span:has-text("${code}"))`)
  await organiser.page.waitForSelector('text=The booking is marked as paid')
  await organiser.page.click('a:has-text("Shared decision making in practice")')
  await organiser.page.waitForSelector('h2:has-text("Who has booked")')
  await axe(organiser.page, 'who has booked an event')
  await organiser.page.click('button:has-text("Cancel it and tell everyone")')
  await organiser.page.waitForSelector('.nhsuk-error-summary')
  await axe(organiser.page, 'cancelling an event with an error')
  await visit(organiser.page, '/learning/organise/new', 'publish an event')
  await organiser.page.click('button:has-text("Publish")')
  await organiser.page.waitForSelector('.nhsuk-error-summary')
  await axe(organiser.page, 'publish an event with an error')
  await coach.page.goto(BASE + `/learning/bookings/${code}`)
  assert.match(await coach.page.content(), /Booked and paid/)
  await organiser.ctx.close()
  await coach.ctx.close()
})

// The e-mailed link to a page under `path`, in the newest e-mail to `to` since `before`.
async function emailedLink (before, to, path) {
  for (let i = 0; i < 40; i++) {
    if (i > 0) await new Promise(resolve => setTimeout(resolve, 50))
    const files = (await readdir(OUTBOX).catch(() => [])).filter(f => f.endsWith('.eml') && !before.has(f)).sort()
    for (const f of files.reverse()) {
      const text = (await readFile(`${OUTBOX}/${f}`, 'utf8')).replace(/=\r?\n/g, '').replace(/=3D/g, '=')
      const link = text.includes(to) && text.match(new RegExp(`https?://\\S+${path}[A-Za-z0-9_?=&/-]+`))?.[0]
      if (link) return new URL(link)
    }
  }
  assert.fail(`no e-mail to ${to} with a link to ${path} arrived in ${OUTBOX}`)
}

test('a waiting list: the event fills, someone joins its list, a booking is cancelled, they are offered the place and take it', async () => {
  const organiser = await context()
  await signIn(organiser.page, 'network.organiser@demo.whatmatters.test')
  await organiser.page.goto(BASE + '/learning/organise/new')
  await organiser.page.fill('#title', 'Coaching demonstration: one place')
  await organiser.page.fill('#summary', 'Watch and discuss a live coaching conversation.')
  await organiser.page.selectOption('#topic', { label: 'Health and wellbeing coaching' })
  await organiser.page.check('#format-online')
  await organiser.page.fill('#join_link', 'https://meet.example.org/demo-one')
  await organiser.page.fill('#online_places', '1')
  const next = new Date(Date.now() + 30 * 864e5)
  await organiser.page.fill('#date-day', String(next.getDate()))
  await organiser.page.fill('#date-month', String(next.getMonth() + 1))
  await organiser.page.fill('#date-year', String(next.getFullYear()))
  await organiser.page.fill('#start', '10am')
  await organiser.page.fill('#end', '11am')
  await organiser.page.click('button:has-text("Publish")')
  await organiser.page.waitForSelector('text=It is published')
  const event = organiser.page.url().replace(/\?.*$/, '')
  await organiser.ctx.close()

  const coach = await context()
  await signIn(coach.page, 'coach@demo.whatmatters.test')
  await coach.page.goto(event)
  await coach.page.click('button:has-text("Add to basket")')
  await coach.page.waitForSelector('h1:has-text("Your basket")')
  await coach.page.click('button:has-text("Book these places")')
  await coach.page.waitForSelector('text=Your places are booked')
  const booking = coach.page.url().replace(/\?.*$/, '')

  const guest = await context()
  await guest.page.goto(event)
  await guest.page.waitForSelector('h2:has-text("is full")')
  await axe(guest.page, 'a full event')
  await guest.page.fill('#name', 'Wendy Wait')
  await guest.page.fill('#email', 'wendy.wait@example.org')
  await guest.page.click('button:has-text("Join the waiting list")')
  await guest.page.waitForSelector('text=You are on the waiting list')
  await axe(guest.page, 'a place on a waiting list')

  const before = new Set(await readdir(OUTBOX).catch(() => []))
  await coach.page.goto(booking)
  await coach.page.click('button:has-text("Cancel booking")')
  await coach.page.waitForSelector('text=The booking is cancelled')
  const offer = await emailedLink(before, 'wendy.wait@example.org', '/learning/waitlist/')
  await guest.page.goto(BASE + offer.pathname)
  await guest.page.waitForSelector('h2:has-text("A place has come free for you")')
  await axe(guest.page, 'a place offered from a waiting list')
  await guest.page.click('button:has-text("Take the place")')
  await guest.page.waitForSelector('text=Your places are booked')
  assert.match(await guest.page.content(), /meet\.example\.org\/demo-one/)
  await coach.ctx.close()
  await guest.ctx.close()
})
