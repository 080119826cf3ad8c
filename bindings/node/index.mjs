// The `dcms` package, ESM entry: the same objects as the CommonJS entry
// (one addon instance, one set of error classes).
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const dcms = require('./index.cjs')

export const {
  open,
  Ledger,
  LocalDirStore,
  ManualClock,
  Statement,
  ChangeCredited,
  Appended,
  CreditBatch,
  ColumnsJob,
  History,
  DcmsError,
  InsufficientPointsError,
  UnknownAccountError,
  InvalidAmountError,
  LimitExceededError,
  IdempotencyConflictError,
  StorageUnavailableError,
} = dcms
export default dcms
