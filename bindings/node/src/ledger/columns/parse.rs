//! Reading the batch: the JSON of columns the package wrapper sends, its
//! JavaScript types checked, each sale's fields handed out in turn.
//!
//! The text is parsed in place: strings without escapes (every ordinary
//! key and id) are borrowed from the JSON rather than copied, and a column
//! given as one value (one vendor, one price for the batch) is parsed and
//! checked once. What is left per sale is the core's own work.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use dcms_core::{CreditChange, CustomerId, Error, Money, PosRef, VendorId};
use rust_decimal::Decimal;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;

use crate::errors::type_error;

/// One value of a column as JSON gave it.
#[derive(Debug)]
enum Cell<'a> {
    Text(Cow<'a, str>),
    Number(f64),
    Null,
    Bool,
}

/// A column: one value for every request, or one per request.
#[derive(Debug)]
enum Column<'a> {
    One(Cell<'a>),
    Many(Vec<Cell<'a>>),
}

/// Reads one cell; strings borrow from the JSON text where they can.
struct CellVisitor<'a>(PhantomData<Cell<'a>>);

impl<'de: 'a, 'a> Visitor<'de> for CellVisitor<'a> {
    type Value = Cell<'a>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Cell<'a>, E> {
        Ok(Cell::Text(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Cell<'a>, E> {
        Ok(Cell::Text(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Cell<'a>, E> {
        Ok(Cell::Text(Cow::Owned(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Cell<'a>, E> {
        Ok(Cell::Number(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Cell<'a>, E> {
        Ok(Cell::Number(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Cell<'a>, E> {
        Ok(Cell::Number(v as f64))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Cell<'a>, E> {
        Ok(Cell::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Cell<'a>, E> {
        Ok(Cell::Null)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Cell<'a>, E> {
        Ok(Cell::Bool)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Cell<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Cell<'a>, D::Error> {
        d.deserialize_any(CellVisitor(PhantomData))
    }
}

/// Reads a column: one cell, or an array of them.
struct ColumnVisitor<'a>(PhantomData<Column<'a>>);

impl<'de: 'a, 'a> Visitor<'de> for ColumnVisitor<'a> {
    type Value = Column<'a>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or an array of strings")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Column<'a>, E> {
        CellVisitor(PhantomData)
            .visit_borrowed_str(v)
            .map(Column::One)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Column<'a>, E> {
        CellVisitor(PhantomData).visit_str(v).map(Column::One)
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Column<'a>, E> {
        CellVisitor(PhantomData).visit_string(v).map(Column::One)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Column<'a>, E> {
        CellVisitor(PhantomData).visit_f64(v).map(Column::One)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Column<'a>, E> {
        CellVisitor(PhantomData).visit_i64(v).map(Column::One)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Column<'a>, E> {
        CellVisitor(PhantomData).visit_u64(v).map(Column::One)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Column<'a>, E> {
        CellVisitor(PhantomData).visit_unit().map(Column::One)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Column<'a>, E> {
        CellVisitor(PhantomData).visit_bool(v).map(Column::One)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Column<'a>, A::Error> {
        let mut cells = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(cell) = seq.next_element::<Cell<'a>>()? {
            cells.push(cell);
        }
        Ok(Column::Many(cells))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Column<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Column<'a>, D::Error> {
        d.deserialize_any(ColumnVisitor(PhantomData))
    }
}

/// The batch as the wrapper serialises it (`CreditChangeColumns` in the types).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Columns<'a> {
    #[serde(borrow)]
    keys: Column<'a>,
    #[serde(borrow)]
    vendor: Column<'a>,
    #[serde(borrow)]
    account: Column<'a>,
    #[serde(borrow)]
    total: Column<'a>,
    #[serde(borrow)]
    tendered: Column<'a>,
    #[serde(borrow)]
    store_id: Option<Column<'a>>,
    #[serde(borrow)]
    terminal_id: Option<Column<'a>>,
    #[serde(borrow)]
    receipt_no: Option<Column<'a>>,
}

/// What a column holds once its JavaScript types are checked.
enum Checked<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> Checked<T> {
    /// Sale `i`'s value (None only past the end: every `Many` column has
    /// exactly one entry per key).
    fn at(&self, i: usize) -> Option<&T> {
        match self {
            Checked::One(v) => Some(v),
            Checked::Many(v) => v.get(i),
        }
    }
}

/// A column's cells as `f` reads them, `n` of them (or one for all).
fn check<'a, T>(
    column: Column<'a>,
    name: &str,
    n: usize,
    mut f: impl FnMut(Cell<'a>, &dyn Fn() -> String) -> napi::Result<T>,
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
fn text<'a>(cell: Cell<'a>, what: &dyn Fn() -> String) -> napi::Result<Cow<'a, str>> {
    match cell {
        Cell::Text(t) => Ok(t),
        _ => Err(type_error(format!("{} must be a string", what()))),
    }
}

/// An amount: a decimal string, never a number.
fn money(cell: Cell<'_>, what: &dyn Fn() -> String) -> napi::Result<Result<Decimal, Error>> {
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
fn optional<'a>(cell: Cell<'a>, what: &dyn Fn() -> String) -> napi::Result<Option<Cow<'a, str>>> {
    match cell {
        Cell::Text(t) => Ok(Some(t)),
        Cell::Null => Ok(None),
        _ => Err(type_error(format!("{} must be a string or null", what()))),
    }
}

/// An optional POS column.
fn pos_column<'a>(
    column: Option<Column<'a>>,
    name: &str,
    n: usize,
) -> napi::Result<Checked<Option<Cow<'a, str>>>> {
    column.map_or(Ok(Checked::One(None)), |c| check(c, name, n, optional))
}

/// A batch whose JavaScript types are checked: per sale, its key and each
/// field, or the core error that refuses the sale (a bad account id, an
/// amount that is not a decimal).
pub(super) struct Batch<'a> {
    keys: Vec<Cow<'a, str>>,
    vendor: Checked<Result<VendorId, Error>>,
    account: Checked<Result<CustomerId, Error>>,
    total: Checked<Result<Decimal, Error>>,
    tendered: Checked<Result<Decimal, Error>>,
    store_id: Checked<Option<Cow<'a, str>>>,
    terminal_id: Checked<Option<Cow<'a, str>>>,
    receipt_no: Checked<Option<Cow<'a, str>>>,
}

impl<'a> Batch<'a> {
    /// Reads `json`; a value of the wrong JavaScript type anywhere is a
    /// `TypeError` for the whole batch.
    pub(super) fn parse(json: &'a str) -> napi::Result<Self> {
        let columns: Columns<'a> = serde_json::from_str(json)
            .map_err(|e| type_error(format!("creditChangeColumns: {e}")))?;
        let keys = match columns.keys {
            Column::Many(cells) => cells
                .into_iter()
                .enumerate()
                .map(|(i, c)| text(c, &|| format!("keys[{i}]")))
                .collect::<napi::Result<Vec<_>>>()?,
            Column::One(_) => return Err(type_error("keys must be an array of strings")),
        };
        let n = keys.len();
        Ok(Batch {
            vendor: check(columns.vendor, "vendor", n, |c, w| {
                Ok(VendorId::new(text(c, w)?.into_owned()))
            })?,
            account: check(columns.account, "account", n, |c, w| {
                Ok(CustomerId::parse(&text(c, w)?))
            })?,
            total: check(columns.total, "total", n, money)?,
            tendered: check(columns.tendered, "tendered", n, money)?,
            store_id: pos_column(columns.store_id, "storeId", n)?,
            terminal_id: pos_column(columns.terminal_id, "terminalId", n)?,
            receipt_no: pos_column(columns.receipt_no, "receiptNo", n)?,
            keys,
        })
    }

    /// How many sales.
    pub(super) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Sale `i` as a core request, written into `slot` (created by the
    /// first sale, then updated in place: the key's buffer is reused and a
    /// field is copied only when it differs from the previous sale's), or
    /// the error that refuses it. None past the end.
    pub(super) fn fill<'s>(
        &self,
        i: usize,
        slot: &'s mut Option<CreditChange>,
    ) -> Option<Result<&'s CreditChange, &Error>> {
        let key = self.keys.get(i)?;
        let fields = (|| {
            Some((
                self.vendor.at(i)?.as_ref(),
                self.account.at(i)?.as_ref(),
                self.total.at(i)?.as_ref(),
                self.tendered.at(i)?.as_ref(),
            ))
        })();
        let (vendor, account, total, tendered) = match fields {
            Some((Ok(v), Ok(a), Ok(t), Ok(d))) => (v, *a, *t, *d),
            Some((v, a, t, d)) => {
                let refusal = [v.err(), a.err(), t.err(), d.err()]
                    .into_iter()
                    .flatten()
                    .next();
                return refusal.map(Err);
            }
            None => return None,
        };
        let pos = [&self.store_id, &self.terminal_id, &self.receipt_no]
            .map(|c| c.at(i).and_then(|v| v.as_deref()));
        let req = slot.get_or_insert_with(|| CreditChange {
            key: String::new(),
            vendor: vendor.clone(),
            account,
            total,
            tendered,
            pos: PosRef::default(),
        });
        req.key.clear();
        req.key.push_str(key);
        if req.vendor != *vendor {
            req.vendor = vendor.clone();
        }
        req.account = account;
        req.total = total;
        req.tendered = tendered;
        set_text(&mut req.pos.store_id, pos[0]);
        set_text(&mut req.pos.terminal_id, pos[1]);
        set_text(&mut req.pos.receipt_no, pos[2]);
        Some(Ok(req))
    }
}

/// `dst` made equal to `src`, reusing its buffer.
fn set_text(dst: &mut Option<String>, src: Option<&str>) {
    match (dst.as_mut(), src) {
        (Some(d), Some(s)) if d != s => {
            d.clear();
            d.push_str(s);
        }
        (Some(_), Some(_)) => {}
        (_, None) => *dst = None,
        (None, Some(s)) => *dst = Some(s.to_owned()),
    }
}
