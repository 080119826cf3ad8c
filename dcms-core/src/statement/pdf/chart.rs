//! The month at a glance: one bar pair per local day, points that came in
//! (change credited) above the axis and points that went out (redeemed,
//! reversed) below it, on one scale.

use super::doc::{Align, Doc, Rgb, Style, MARGIN, PAGE_W};
use super::format::points;
use crate::statement::Statement;

const HEIGHT: f32 = 120.0;
/// Room left of the plot for the scale's labels.
const LABELS: f32 = 44.0;

/// Per day of the month: points in (positive movements) and out
/// (negative movements, as a positive number).
fn in_and_out(st: &Statement) -> Vec<(u32, i64, i64)> {
    let days = st.month.days().unwrap_or_default();
    days.iter()
        .map(|date| {
            let day = st.days.iter().find(|d| d.date == *date);
            let (mut up, mut down) = (0i64, 0i64);
            for k in day.map(|d| d.kinds.as_slice()).unwrap_or_default() {
                if k.points >= 0 {
                    up = up.saturating_add(k.points);
                } else {
                    down = down.saturating_add(k.points.saturating_neg());
                }
            }
            (chrono::Datelike::day(date), up, down)
        })
        .collect()
}

/// Draws the chart at the document's current line.
pub(super) fn draw(doc: &mut Doc<'_>, st: &Statement, up_label: &str, down_label: &str) {
    let data = in_and_out(st);
    doc.ensure(HEIGHT + 50.0);
    let top = doc.y;
    doc.text(
        MARGIN,
        top + 12.0,
        "Points by day",
        Style::HEADING,
        Align::Left,
    );
    let legend = top + 11.0;
    let right = PAGE_W - MARGIN;
    let down_w = doc.measure(down_label, Style::SMALL);
    doc.rect(right - down_w - 12.0, legend - 7.0, 8.0, 8.0, Rgb::OUT);
    doc.text(right, legend, down_label, Style::SMALL, Align::Right);
    let up_right = right - down_w - 24.0;
    let up_w = doc.measure(up_label, Style::SMALL);
    doc.rect(up_right - up_w - 12.0, legend - 7.0, 8.0, 8.0, Rgb::ACCENT);
    doc.text(up_right, legend, up_label, Style::SMALL, Align::Right);

    let plot_top = top + 24.0;
    let max_up = data.iter().map(|d| d.1).max().unwrap_or(0);
    let max_down = data.iter().map(|d| d.2).max().unwrap_or(0);
    let span = max_up.saturating_add(max_down).max(1) as f32;
    // The axis sits where the larger side gets its share of the height;
    // a month with no redemptions puts it at the bottom.
    let axis = plot_top + HEIGHT * (max_up as f32 / span);
    let scale = HEIGHT / span;
    let left = MARGIN + LABELS;
    let slot = (right - left) / data.len().max(1) as f32;
    let bar = (slot * 0.62).max(1.0);

    doc.rule(plot_top, 0.3, Rgb::RULE);
    doc.rule(plot_top + HEIGHT, 0.3, Rgb::RULE);
    let label_x = left - 6.0;
    if max_up > 0 {
        doc.text(
            label_x,
            plot_top + 3.0,
            &points(max_up),
            Style::SMALL,
            Align::Right,
        );
    }
    if max_down > 0 {
        let text = points(-max_down);
        doc.text(
            label_x,
            plot_top + HEIGHT + 3.0,
            &text,
            Style::SMALL,
            Align::Right,
        );
    }
    doc.text(label_x, axis + 2.5, "0", Style::SMALL, Align::Right);

    let last = data.len();
    for (i, (day, up, down)) in data.iter().enumerate() {
        let x = left + slot * i as f32 + (slot - bar) / 2.0;
        if *up > 0 {
            let h = (*up as f32 * scale).max(0.5);
            doc.rect(x, axis - h, bar, h, Rgb::ACCENT);
        }
        if *down > 0 {
            let h = (*down as f32 * scale).max(0.5);
            doc.rect(x, axis, bar, h, Rgb::OUT);
        }
        if *day == 1 || day % 5 == 0 || i + 1 == last {
            let center = left + slot * i as f32 + slot / 2.0;
            let text = day.to_string();
            doc.text(
                center,
                plot_top + HEIGHT + 12.0,
                &text,
                Style::SMALL,
                Align::Center,
            );
        }
    }
    doc.line(left, axis, right, axis, 0.6, Rgb::TEXT);
    doc.y = plot_top + HEIGHT + 24.0;
}
