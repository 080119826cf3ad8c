'use strict'
// The DcmsError classes, and the one place native errors become them.
//
// The addon rejects with an Error whose message is an envelope,
// `DCMS_ERROR {"code", "message", "retryable", "details"}` (see
// src/errors.rs); `toDcmsError` turns it into the class a caller acts on,
// as the Python package does. A wrong JavaScript type (napi's own argument
// errors, or a number given for money) becomes a TypeError.

const PREFIX = 'DCMS_ERROR '

/** Base class of every DCMS error: `code` is the core's stable code. */
class DcmsError extends Error {
  constructor(message, code, retryable, details) {
    super(message)
    this.name = new.target.name
    this.code = code
    this.retryable = retryable
    Object.assign(this, details)
  }
}
class InsufficientPointsError extends DcmsError {}
class UnknownAccountError extends DcmsError {}
class InvalidAmountError extends DcmsError {}
class LimitExceededError extends DcmsError {}
class IdempotencyConflictError extends DcmsError {}
class StorageUnavailableError extends DcmsError {}

// Core codes with a class of their own; every other code is a DcmsError.
const CLASS_OF = {
  insufficient_points: InsufficientPointsError,
  unknown_account: UnknownAccountError,
  invalid_account_id: UnknownAccountError,
  invalid_amount: InvalidAmountError,
  insufficient_cash: InvalidAmountError,
  limit_exceeded: LimitExceededError,
  idempotency_conflict: IdempotencyConflictError,
  storage_unavailable: StorageUnavailableError,
}

// napi's codes for a JavaScript value of the wrong type.
const TYPE_CODES = new Set([
  'InvalidArg',
  'StringExpected',
  'NumberExpected',
  'BooleanExpected',
  'ObjectExpected',
  'ArrayExpected',
  'BigintExpected',
  'DateExpected',
  'FunctionExpected',
])

/** The DcmsError an envelope describes. */
function fromEnvelope(text) {
  const e = JSON.parse(text.slice(PREFIX.length))
  const Class = CLASS_OF[e.code] ?? DcmsError
  return new Class(e.message, e.code, e.retryable, e.details)
}

/** Any error thrown by the addon, as a caller should see it. */
function toDcmsError(err) {
  if (err instanceof Error && !(err instanceof DcmsError)) {
    if (err.message.startsWith(PREFIX)) {
      const converted = fromEnvelope(err.message)
      converted.stack = `${converted.name}: ${converted.message}\n${(err.stack ?? '').split('\n').slice(1).join('\n')}`
      return converted
    }
    if (TYPE_CODES.has(err.code)) {
      return new TypeError(err.message)
    }
  }
  return err
}

module.exports = {
  DcmsError,
  InsufficientPointsError,
  UnknownAccountError,
  InvalidAmountError,
  LimitExceededError,
  IdempotencyConflictError,
  StorageUnavailableError,
  fromEnvelope,
  toDcmsError,
}
