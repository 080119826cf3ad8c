'use strict'
// The `dcms` package (CommonJS entry; index.mjs re-exports it for ESM).
//
// The generated loader native.cjs brings in the addon's classes; this file
// wraps their methods so that every rejection is a DcmsError subclass (or
// a TypeError for a value of the wrong type), turns a month close's failed
// vendors into DcmsErrors, and makes `history()` an async iterable whose
// errors are DcmsErrors too. Types: index.d.ts (generated, with
// types-header.d.ts on top).

const native = require('./native.cjs')
const errors = require('./errors.cjs')

const { toDcmsError, fromEnvelope } = errors

/** `fn` with its rejection (or synchronous throw) converted; always a Promise. */
function convertingAsync(fn) {
  return function (...args) {
    let result
    try {
      result = fn.apply(this, args)
    } catch (e) {
      return Promise.reject(toDcmsError(e))
    }
    // A call the core finished at once (see src/run.rs) returns its value.
    if (!(result instanceof Promise)) return Promise.resolve(result)
    return result.catch((e) => {
      throw toDcmsError(e)
    })
  }
}

/** `fn` with its throw converted. */
function convertingSync(fn) {
  return function (...args) {
    try {
      return fn.apply(this, args)
    } catch (e) {
      throw toDcmsError(e)
    }
  }
}

/** A native History whose pages, and errors, come through `toDcmsError`. */
function iterable(history) {
  return {
    [Symbol.asyncIterator]() {
      const it = history[Symbol.asyncIterator]()
      return {
        next: convertingAsync(() => it.next()),
        return: convertingAsync((v) => (it.return ? it.return(v) : { done: true, value: v })),
        [Symbol.asyncIterator]() {
          return this
        },
      }
    },
  }
}

// Methods that are not plain Promise-returning calls.
const SPECIAL = new Set(['constructor', 'history', 'closeMonth', 'creditChangeColumns'])

function wrapPrototype(Class) {
  const proto = Class.prototype
  for (const name of Object.getOwnPropertyNames(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, name)
    if (SPECIAL.has(name) || typeof d.value !== 'function') continue
    Object.defineProperty(proto, name, { ...d, value: convertingAsync(d.value) })
  }
}

wrapPrototype(native.Ledger)
wrapPrototype(native.LocalDirStore)

const nativeHistory = native.Ledger.prototype.history
native.Ledger.prototype.history = convertingSync(function (...args) {
  return iterable(nativeHistory.apply(this, args))
})

const nativeClose = native.Ledger.prototype.closeMonth
native.Ledger.prototype.closeMonth = convertingAsync(async function (...args) {
  const report = await nativeClose.apply(this, args)
  report.failed = report.failed.map((f) => ({ vendor: f.vendor, error: fromEnvelope(f.error) }))
  return report
})

// creditChangeColumns: the batch crosses as one JSON string (one napi
// string read instead of a property read per field; see
// src/ledger/columns/). JSON.stringify throws a TypeError on a bigint or
// a cycle; a number for money stays a number in the JSON, and the addon
// refuses it with a TypeError. The addon returns a job that credits the
// sales here, on this thread, a slice of them per `step()`; between slices
// the event loop gets a turn. A step that has to wait on a SQL store hands
// back a Promise of the rest instead (src/ledger/columns/job.rs).
const nativeColumns = native.Ledger.prototype.creditChangeColumns
const turn = () => new Promise((resolve) => setImmediate(resolve))
native.Ledger.prototype.creditChangeColumns = convertingAsync(async function (batch) {
  if (batch === null || typeof batch !== 'object' || Array.isArray(batch)) {
    throw new TypeError('creditChangeColumns takes one object of columns')
  }
  let text
  try {
    text = JSON.stringify(batch)
  } catch (e) {
    throw e instanceof TypeError ? e : new TypeError(String(e))
  }
  const job = nativeColumns.call(this, text)
  for (;;) {
    const done = job.step()
    if (done !== null && done !== undefined) return done
    await turn()
  }
})

// A CreditBatch's errors come out as DcmsErrors.
const batchProto = native.CreditBatch.prototype
const nativeErrors = Object.getOwnPropertyDescriptor(batchProto, 'errors')
Object.defineProperty(batchProto, 'errors', {
  ...nativeErrors,
  get() {
    return nativeErrors.get.call(this).map((f) => ({ index: f.index, error: fromEnvelope(f.error) }))
  },
})
const nativeError = batchProto.error
batchProto.error = function (i) {
  const text = nativeError.call(this, i)
  return text === null || text === undefined ? null : fromEnvelope(text)
}
batchProto[Symbol.for('nodejs.util.inspect.custom')] = function (depth, options, inspectFn) {
  return `CreditBatch ${inspectFn({ length: this.length, failed: this.failed, totalPoints: this.totalPoints }, options)}`
}

// The constructors throw synchronously; these subclasses convert what they throw.
class LocalDirStore extends native.LocalDirStore {
  constructor(path) {
    try {
      super(path)
    } catch (e) {
      throw toDcmsError(e)
    }
  }
}

class ManualClock extends native.ManualClock {
  constructor(at) {
    try {
      super(at)
    } catch (e) {
      throw toDcmsError(e)
    }
  }
}
for (const name of ['advance', 'set']) {
  native.ManualClock.prototype[name] = convertingSync(native.ManualClock.prototype[name])
}

// The lazy result classes print (console.log, util.inspect) as their data.
const inspect = Symbol.for('nodejs.util.inspect.custom')
for (const Class of [native.ChangeCredited, native.Appended]) {
  Class.prototype[inspect] = function (depth, options, inspectFn) {
    return `${Class.name} ${inspectFn(this.toJSON(), options)}`
  }
}

module.exports = {
  open: convertingAsync(native.open),
  Ledger: native.Ledger,
  LocalDirStore,
  ManualClock,
  Statement: native.Statement,
  ChangeCredited: native.ChangeCredited,
  Appended: native.Appended,
  CreditBatch: native.CreditBatch,
  ColumnsJob: native.ColumnsJob,
  History: native.History,
  DcmsError: errors.DcmsError,
  InsufficientPointsError: errors.InsufficientPointsError,
  UnknownAccountError: errors.UnknownAccountError,
  InvalidAmountError: errors.InvalidAmountError,
  LimitExceededError: errors.LimitExceededError,
  IdempotencyConflictError: errors.IdempotencyConflictError,
  StorageUnavailableError: errors.StorageUnavailableError,
}
