//! Charts as inline SVG, drawn at build time: no chart library reaches the reader's browser.
//! Each chart has an accessible title and description; pages put a data table beside it.
//! Colours come from CSS classes, so the theme (and dark mode) owns them.

use std::fmt::Write;

use time::Duration;

use super::markdown::escape;
use crate::model::dates::format_duration;

/// A named series of a bar chart.
pub struct Series<'a> {
    /// Legend label.
    pub name: &'a str,
    /// CSS class of its bars.
    pub class: String,
    /// One value per category.
    pub values: Vec<f64>,
}

const WIDTH: f64 = 720.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;

fn open(out: &mut String, id: &str, title: &str, desc: &str, height: f64) {
    let _ = write!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        escape(title),
        escape(desc)
    );
}

/// A "nice" axis maximum and tick step for values up to `max`.
fn nice_scale(max: f64) -> (f64, f64) {
    if max <= 0.0 {
        return (1.0, 1.0);
    }
    let raw = max / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(magnitude * 10.0);
    let step = step.max(1.0);
    ((max / step).ceil() * step, step)
}

fn legend(out: &mut String, series: &[Series<'_>], y: f64) {
    let mut x = LEFT;
    for s in series {
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"{}\" width=\"10\" height=\"10\" class=\"{}\"/><text x=\"{}\" y=\"{y}\" class=\"legend\">{}</text>",
            y - 9.0,
            s.class,
            x + 14.0,
            escape(s.name)
        );
        x += 24.0 + s.name.chars().count() as f64 * 7.0;
    }
}

/// Stacked vertical bars: one bar per category, one segment per series.
pub fn stacked_bars(
    id: &str,
    title: &str,
    desc: &str,
    categories: &[String],
    series: &[Series<'_>],
) -> String {
    let height = 270.0;
    let bottom = 62.0;
    let plot_h = height - TOP - bottom;
    let totals: Vec<f64> =
        (0..categories.len()).map(|c| series.iter().map(|s| s.values[c]).sum()).collect();
    let (max, step) = nice_scale(totals.iter().copied().fold(0.0, f64::max));
    let mut out = String::new();
    open(&mut out, id, title, desc, height);
    let mut tick = 0.0;
    while tick <= max + 1e-9 {
        let y = TOP + plot_h - tick / max * plot_h;
        let _ = write!(
            out,
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" class=\"grid\"/><text x=\"{}\" y=\"{:.1}\" class=\"axis\" text-anchor=\"end\">{tick}</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0
        );
        tick += step;
    }
    let n = categories.len().max(1) as f64;
    let slot = (WIDTH - LEFT - RIGHT) / n;
    let bar = (slot * 0.7).min(36.0);
    let label_every = (categories.len() as f64 / 12.0).ceil().max(1.0) as usize;
    for (c, label) in categories.iter().enumerate() {
        let x = LEFT + slot * c as f64 + (slot - bar) / 2.0;
        let mut y = TOP + plot_h;
        for s in series {
            let h = s.values[c] / max * plot_h;
            if h > 0.0 {
                y -= h;
                let _ = write!(
                    out,
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" class=\"{}\"><title>{}: {} {}</title></rect>",
                    s.class,
                    escape(label),
                    s.values[c],
                    escape(s.name)
                );
            }
        }
        if c % label_every == 0 {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" class=\"axis\" text-anchor=\"middle\">{}</text>",
                x + bar / 2.0,
                TOP + plot_h + 16.0,
                escape(label)
            );
        }
    }
    legend(&mut out, series, height - 12.0);
    out.push_str("</svg>");
    out
}

/// Horizontal bars with a label and value each (top services, tags, themes).
pub fn horizontal_bars(id: &str, title: &str, desc: &str, items: &[(String, usize)]) -> String {
    let row = 26.0;
    let height = TOP * 2.0 + row * items.len().max(1) as f64;
    let label_w = 230.0;
    let max = items.iter().map(|(_, v)| *v).max().unwrap_or(1).max(1) as f64;
    let mut out = String::new();
    open(&mut out, id, title, desc, height);
    for (k, (label, value)) in items.iter().enumerate() {
        let y = TOP + row * k as f64;
        let w = (*value as f64 / max) * (WIDTH - label_w - 60.0);
        let shown: String = if label.chars().count() > 34 {
            format!("{}…", label.chars().take(33).collect::<String>())
        } else {
            label.clone()
        };
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"axis\" text-anchor=\"end\">{}</text>\
             <rect x=\"{label_w}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" class=\"bar\"><title>{}: {value}</title></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\" class=\"axis value\">{value}</text>",
            label_w - 8.0,
            y + 17.0,
            escape(&shown),
            y + 4.0,
            row - 8.0,
            escape(label),
            label_w + w + 6.0,
            y + 17.0
        );
    }
    out.push_str("</svg>");
    out
}

/// Durations per category on a logarithmic axis (1 minute to 1 week), one line per series;
/// missing values leave gaps.
pub fn duration_lines(
    id: &str,
    title: &str,
    desc: &str,
    categories: &[String],
    series: &[(&str, &str, Vec<Option<Duration>>)],
) -> String {
    let height = 260.0;
    let bottom = 56.0;
    let plot_h = height - TOP - bottom;
    let ticks: [(i64, &str); 6] = [
        (60, "1m"),
        (600, "10m"),
        (3600, "1h"),
        (6 * 3600, "6h"),
        (86_400, "1d"),
        (7 * 86_400, "1w"),
    ];
    let (lo, hi) = (60f64.ln(), (7.0 * 86_400f64).ln());
    let y_of = |d: Duration| {
        let secs = (d.whole_seconds().max(60) as f64).ln().min(hi);
        TOP + plot_h - (secs - lo) / (hi - lo) * plot_h
    };
    let mut out = String::new();
    open(&mut out, id, title, desc, height);
    for (secs, label) in ticks {
        let y = y_of(Duration::seconds(secs));
        let _ = write!(
            out,
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" class=\"grid\"/><text x=\"{}\" y=\"{:.1}\" class=\"axis\" text-anchor=\"end\">{label}</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0
        );
    }
    let n = categories.len().max(1) as f64;
    let slot = (WIDTH - LEFT - RIGHT) / n;
    let x_of = |c: usize| LEFT + slot * c as f64 + slot / 2.0;
    for (c, label) in categories.iter().enumerate() {
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"axis\" text-anchor=\"middle\">{}</text>",
            x_of(c),
            TOP + plot_h + 16.0,
            escape(label)
        );
    }
    let mut legend_series = Vec::new();
    for (name, class, values) in series {
        let mut path = String::new();
        let mut pen_down = false;
        for (c, v) in values.iter().enumerate() {
            match v {
                Some(d) => {
                    let _ = write!(
                        path,
                        "{}{:.1},{:.1} ",
                        if pen_down { "L" } else { "M" },
                        x_of(c),
                        y_of(*d)
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        let _ = write!(out, "<path d=\"{}\" class=\"line {class}\"/>", path.trim_end());
        for (c, v) in values.iter().enumerate() {
            if let Some(d) = v {
                let _ = write!(
                    out,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" class=\"point {class}\"><title>{}: {} {}</title></circle>",
                    x_of(c),
                    y_of(*d),
                    escape(&categories[c]),
                    escape(name),
                    format_duration(*d)
                );
            }
        }
        legend_series.push(Series { name, class: format!("{class}-fill"), values: Vec::new() });
    }
    legend(&mut out, &legend_series, height - 12.0);
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_scales() {
        assert_eq!(nice_scale(0.0), (1.0, 1.0));
        assert_eq!(nice_scale(3.0), (3.0, 1.0));
        assert_eq!(nice_scale(17.0), (20.0, 5.0));
        assert_eq!(nice_scale(140.0), (150.0, 50.0));
    }

    #[test]
    fn charts_are_accessible_and_escape_labels() {
        let svg =
            horizontal_bars("x", "Top <tags>", "desc", &[("a<b>".into(), 3), ("c".into(), 1)]);
        assert!(svg.contains("role=\"img\"") && svg.contains("aria-labelledby=\"x-t x-d\""));
        assert!(svg.contains("<title id=\"x-t\">Top &lt;tags&gt;</title>"));
        assert!(!svg.contains("a<b>"));
        let bars = stacked_bars(
            "s",
            "t",
            "d",
            &["2024".into()],
            &[Series { name: "SEV1", class: "s0".into(), values: vec![2.0] }],
        );
        assert_eq!(bars.matches("<rect x=").count(), 2, "one bar and one legend swatch: {bars}");
    }
}
