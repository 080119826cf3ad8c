// Shared by the tests: a ledger on each backend, unique names, and the
// server URL rule of the Python tests' conftest (DCMS_TEST_POSTGRES_URL or
// DCMS_TEST_MYSQL_URL missing: that server's runs are skipped, or fail
// when DCMS_REQUIRE_SERVERS=1, as the README's test command sets it).
// The servers' databases are shared by every run (and by the Python
// tests), so every vendor, account and key a test makes carries a random
// per-run prefix (`uidMaker`), and reads filter on them.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import * as dcms from '../index.mjs'

export { dcms }

export const BACKENDS = ['memory', 'sqlite', 'postgres', 'mysql']

/** The variable holding each server backend's URL. */
const SERVER_URLS = { postgres: 'DCMS_TEST_POSTGRES_URL', mysql: 'DCMS_TEST_MYSQL_URL' }

/** A fresh temporary directory, removed when the process exits. */
export function tempDir() {
  const dir = mkdtempSync(path.join(tmpdir(), 'dcms-node-'))
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The URL of a test server, or null (skip) unless servers are required. */
export function serverUrl(name) {
  const url = process.env[name]
  if (url) return url
  if (process.env.DCMS_REQUIRE_SERVERS === '1') {
    throw new Error(`${name} is not set and DCMS_REQUIRE_SERVERS=1`)
  }
  return null
}

/**
 * Opens a ledger on `backend`, or returns null when its server is not
 * configured (the caller skips). `t` is the test context.
 */
export async function openBackend(t, backend, options = {}) {
  if (backend === 'memory') return dcms.open(null, options)
  if (backend === 'sqlite') return dcms.open(path.join(tempDir(), 'ledger.db'), options)
  const name = SERVER_URLS[backend]
  if (name === undefined) throw new Error(`no such backend: ${backend}`)
  const url = serverUrl(name)
  if (url === null) {
    t.skip(`${name} is not set`)
    return null
  }
  return dcms.open(url, options)
}

/** `uid('shop')`: a name unique to this run, 32 characters at most. */
export function uidMaker() {
  const prefix = randomBytes(5).toString('hex')
  return (name) => `${prefix}-${name}`
}

/** A ledger with a USD shop and one account, on `backend`. */
export async function fixture(t, backend, options = {}) {
  const ledger = await openBackend(t, backend, options)
  if (ledger === null) return null
  const uid = uidMaker()
  const shop = await ledger.createVendor(uid('shop'), 'Corner Shop', 'USD', 'America/New_York')
  const account = (await ledger.openAccount(uid('alice'))).id
  return { ledger, uid, shop, account }
}

/** The code of the DcmsError `promise` rejects with (fails if it resolves). */
export async function codeOf(promise) {
  try {
    await promise
  } catch (e) {
    if (e instanceof dcms.DcmsError) return e.code
    throw e
  }
  return 'ok'
}
