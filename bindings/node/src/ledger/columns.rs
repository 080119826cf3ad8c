//! The fast batch of change credits: `Ledger.creditChangeColumns`.
//!
//! `creditChangeMany` reads one request object per sale through napi (eight
//! named properties, 2-2.6 µs) and builds one result object per sale; that
//! costs more than the credit itself (benches/README.md). Here the package
//! wrapper (`index.cjs`) hands over the whole batch as one JSON string of
//! columns (`JSON.stringify` in V8 and serde here cost a small part of a
//! napi property read per field), and the result is one `CreditBatch`
//! whose columns (points, transaction ids) come back as typed arrays and
//! whose per-sale details are converted only when asked for.
//!
//! The rules are those of `creditChange`: money is a decimal string (a JSON
//! number for an amount is a `TypeError`, for the whole call, before
//! anything is written); a request the ledger refuses (a bad account id, an
//! unknown vendor, too little cash, ...) is refused alone, writes nothing,
//! and its typed error is reported at its index while the others go on.

use std::fmt;

use dcms_core::{CustomerId, Money, PosRef, VendorId};
use napi::bindgen_prelude::{Float64Array, Uint8Array};
use napi::Env;
use napi_derive::napi;
use rust_decimal::Decimal;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{json, Map};

use super::Ledger;
use crate::convert::{count, PointCount};
use crate::errors::{envelope, type_error};
use crate::run::{spawn, Js};
use crate::types::ChangeCredited;

/// One value of a column as JSON gave it.
#[derive(Debug)]
enum Cell {
    Text(String),
    Number(f64),
    Null,
    Bool,
}

/// A column: one value for every request, or one per request.
#[derive(Debug)]
enum Column {
    One(Cell),
    Many(Vec<Cell>),
}

struct CellVisitor;

impl<'de> Visitor<'de> for CellVisitor {
    type Value = Cell;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cell, E> {
        Ok(Cell::Text(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Cell, E> {
        Ok(Cell::Text(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Cell, E> {
        Ok(Cell::Number(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Cell, E> {
        Ok(Cell::Number(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Cell, E> {
        Ok(Cell::Number(v as f64))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Cell, E> {
        Ok(Cell::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Cell, E> {
        Ok(Cell::Null)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Cell, E> {
        Ok(Cell::Bool)
    }
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Cell, D::Error> {
        d.deserialize_any(CellVisitor)
    }
}

struct ColumnVisitor;

impl<'de> Visitor<'de> for ColumnVisitor {
    type Value = Column;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or an array of strings")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Column, E> {
        CellVisitor.visit_str(v).map(Column::One)
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Column, E> {
        Ok(Column::One(Cell::Text(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Column, E> {
        Ok(Column::One(Cell::Number(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Column, E> {
        CellVisitor.visit_i64(v).map(Column::One)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Column, E> {
        CellVisitor.visit_u64(v).map(Column::One)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Column, E> {
        Ok(Column::One(Cell::Null))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Column, E> {
        Ok(Column::One(Cell::Bool))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Column, A::Error> {
        let mut cells = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(cell) = seq.next_element::<Cell>()? {
            cells.push(cell);
        }
        Ok(Column::Many(cells))
    }
}

impl<'de> Deserialize<'de> for Column {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Column, D::Error> {
        d.deserialize_any(ColumnVisitor)
    }
}

/// The batch as the wrapper serialises it (`CreditChangeColumns` in the types).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Columns {
    keys: Column,
    vendor: Column,
    account: Column,
    total: Column,
    tendered: Column,
    store_id: Option<Column>,
    terminal_id: Option<Column>,
    receipt_no: Option<Column>,
}

/// What a column holds once its JavaScript types are checked.
enum Checked<T> {
    One(T),
    Many(Vec<T>),
}

impl<T: Clone> Checked<T> {
    fn at(&self, i: usize) -> T {
        match self {
            Checked::One(v) => v.clone(),
            Checked::Many(v) => v[i].clone(),
        }
    }
}

/// A column's cells as `f` reads them, `n` of them (or one for all).
fn check<T>(
    column: Column,
    name: &str,
    n: usize,
    mut f: impl FnMut(Cell, &dyn Fn() -> String) -> napi::Result<T>,
) -> napi::Result<Checked<T>> {
    match column {
        Column::One(cell) => Ok(Checked::One(f(cell, &|| name.to_string())?)),
        Column::Many(cells) => {
            if cells.len() != n {
                return Err(type_error(format!(
                    "{name} has {} entries but keys has {n}",
                    cells.len()
                )));
            }
            let mut out = Vec::with_capacity(n);
            for (i, cell) in cells.into_iter().enumerate() {
                out.push(f(cell, &|| format!("{name}[{i}]"))?);
            }
            Ok(Checked::Many(out))
        }
    }
}

/// A required text cell.
fn text(cell: Cell, what: &dyn Fn() -> String) -> napi::Result<String> {
    match cell {
        Cell::Text(t) => Ok(t),
        _ => Err(type_error(format!("{} must be a string", what()))),
    }
}

/// An amount: a decimal string, never a number.
fn money(cell: Cell, what: &dyn Fn() -> String) -> napi::Result<Result<Decimal, dcms_core::Error>> {
    match cell {
        Cell::Text(t) => Ok(Money::parse_decimal(&t)),
        Cell::Number(n) => Err(type_error(format!(
            "money is never a float: {} must be the decimal string \"{n}\", not the number {n}",
            what()
        ))),
        _ => Err(type_error(format!("{} must be a decimal string", what()))),
    }
}

/// An optional POS field: a string or null.
fn optional(cell: Cell, what: &dyn Fn() -> String) -> napi::Result<Option<String>> {
    match cell {
        Cell::Text(t) => Ok(Some(t)),
        Cell::Null => Ok(None),
        _ => Err(type_error(format!("{} must be a string or null", what()))),
    }
}

/// An optional POS column.
fn pos_column(
    column: Option<Column>,
    name: &str,
    n: usize,
) -> napi::Result<Checked<Option<String>>> {
    column.map_or(Ok(Checked::One(None)), |c| check(c, name, n, optional))
}

/// Every request of the batch: the core request, or the error that refuses it.
fn requests(json: &str) -> napi::Result<Vec<Result<dcms_core::CreditChange, dcms_core::Error>>> {
    let columns: Columns =
        serde_json::from_str(json).map_err(|e| type_error(format!("creditChangeColumns: {e}")))?;
    let keys = match columns.keys {
        Column::Many(cells) => cells
            .into_iter()
            .enumerate()
            .map(|(i, c)| text(c, &|| format!("keys[{i}]")))
            .collect::<napi::Result<Vec<_>>>()?,
        Column::One(_) => return Err(type_error("keys must be an array of strings")),
    };
    let n = keys.len();
    let vendor = check(columns.vendor, "vendor", n, |c, w| {
        Ok(VendorId::new(text(c, w)?))
    })?;
    let account = check(columns.account, "account", n, |c, w| {
        Ok(CustomerId::parse(&text(c, w)?))
    })?;
    let total = check(columns.total, "total", n, money)?;
    let tendered = check(columns.tendered, "tendered", n, money)?;
    let store_id = pos_column(columns.store_id, "storeId", n)?;
    let terminal_id = pos_column(columns.terminal_id, "terminalId", n)?;
    let receipt_no = pos_column(columns.receipt_no, "receiptNo", n)?;
    Ok(keys
        .into_iter()
        .enumerate()
        .map(|(i, key)| {
            Ok(dcms_core::CreditChange {
                key,
                vendor: vendor.at(i)?,
                account: account.at(i)?,
                total: total.at(i)?,
                tendered: tendered.at(i)?,
                pos: PosRef {
                    store_id: store_id.at(i),
                    terminal_id: terminal_id.at(i),
                    receipt_no: receipt_no.at(i),
                },
            })
        })
        .collect())
}

/// The envelope of a refused request, its index among the details.
fn refused(error: &dcms_core::Error, index: usize) -> String {
    let mut extra = Map::new();
    extra.insert("index".into(), json!(index));
    envelope(error, extra)
}

/// The result of `creditChangeColumns`: one entry per request, in order.
/// `points`, `txIds` and `replayed` are typed arrays built when read (each
/// read builds a fresh one); `get(i)` gives request `i`'s `ChangeCredited`
/// (null when refused) and `error(i)` its typed error (null when credited).
#[napi]
pub struct CreditBatch {
    items: Vec<Result<dcms_core::ChangeCredited, String>>,
}

/// A refused request of a `CreditBatch`.
#[napi(object, object_from_js = false)]
pub struct CreditBatchFailure {
    /// Its position in the batch.
    pub index: u32,
    /// Its error (a `DcmsError` subclass once through the package wrapper).
    #[napi(ts_type = "DcmsError")]
    pub error: String,
}

#[napi]
impl CreditBatch {
    /// How many requests the batch held.
    #[napi(getter)]
    pub fn length(&self) -> u32 {
        self.items.len() as u32
    }

    /// How many were refused (nothing written for them).
    #[napi(getter)]
    pub fn failed(&self) -> u32 {
        self.items.iter().filter(|r| r.is_err()).count() as u32
    }

    /// Points credited per request (0 when refused or nothing credited).
    #[napi(getter)]
    pub fn points(&self) -> Float64Array {
        Float64Array::new(
            self.items
                .iter()
                .map(|r| r.as_ref().map_or(0.0, |c| c.points as f64))
                .collect(),
        )
    }

    /// The transaction id per request (0 when refused or nothing credited;
    /// ids start at 1).
    #[napi(getter)]
    pub fn tx_ids(&self) -> Float64Array {
        Float64Array::new(
            self.items
                .iter()
                .map(|r| {
                    r.as_ref()
                        .ok()
                        .and_then(|c| c.tx.as_ref())
                        .map_or(0.0, |t| t.id.0 as f64)
                })
                .collect(),
        )
    }

    /// 1 where the key was seen before and nothing new was written.
    #[napi(getter)]
    pub fn replayed(&self) -> Uint8Array {
        Uint8Array::new(
            self.items
                .iter()
                .map(|r| u8::from(r.as_ref().is_ok_and(|c| c.replayed)))
                .collect(),
        )
    }

    /// Total points credited by the batch.
    #[napi(getter)]
    pub fn total_points(&self) -> PointCount {
        count(self.items.iter().flatten().map(|c| c.points).sum())
    }

    /// Request `i`'s result (null when it was refused or `i` is out of range).
    #[napi]
    pub fn get(&self, i: u32) -> Option<ChangeCredited> {
        self.items
            .get(i as usize)?
            .as_ref()
            .ok()
            .map(|c| ChangeCredited::from(c.clone()))
    }

    /// Request `i`'s error (null when it was credited or `i` is out of range).
    #[napi(ts_return_type = "DcmsError | null")]
    pub fn error(&self, i: u32) -> Option<String> {
        self.items.get(i as usize)?.as_ref().err().cloned()
    }

    /// Every refused request, in order.
    #[napi(getter)]
    pub fn errors(&self) -> Vec<CreditBatchFailure> {
        self.items
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                r.as_ref().err().map(|e| CreditBatchFailure {
                    index: i as u32,
                    error: e.clone(),
                })
            })
            .collect()
    }
}

#[napi]
impl Ledger {
    /// Credits many sales given as columns (see `CreditChangeColumns`), in
    /// order. A request the ledger refuses writes nothing and is reported
    /// at its index in the result; the others go on. A value of the wrong
    /// JavaScript type (a number for money) is a `TypeError` for the whole
    /// call, before anything is written. Runs on the Tokio runtime.
    #[napi(
        ts_args_type = "batch: CreditChangeColumns",
        ts_return_type = "Promise<CreditBatch>"
    )]
    pub fn credit_change_columns<'env>(
        &self,
        env: &'env Env,
        batch: String,
    ) -> napi::Result<Js<'env, CreditBatch>> {
        let ledger = self.inner.clone();
        let requests = requests(&batch)?;
        spawn(env, async move {
            let mut items = Vec::with_capacity(requests.len());
            for (i, req) in requests.iter().enumerate() {
                items.push(match req {
                    Ok(req) => ledger.credit_change(req).await.map_err(|e| refused(&e, i)),
                    Err(e) => Err(refused(e, i)),
                });
            }
            Ok(CreditBatch { items })
        })
    }
}
