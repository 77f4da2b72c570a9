//! Charts drawn in the app as SVG (no external service, works offline, prints sharp):
//! a bar chart (vertical or horizontal, stacked or grouped) and a line chart.
//!
//! Accessible: each chart is one `role="img"` SVG named by its `<title>` and described by
//! its `<desc>` (a sentence with the figures), followed by the same figures as a data
//! table that screen readers read (visually hidden on screen, shown when printed in
//! black and white is not enough). Colours come from a palette with at least 3:1 contrast
//! against white and every bar and point carries its value as text, so nothing rests on
//! colour alone.

use leptos::prelude::*;

/// Series colours: 3:1 or better against white, distinguishable in grey print by the
/// value labels.
const PALETTE: [&str; 6] = [
    "#0b5cad", "#b35900", "#1b6e31", "#6b3fa0", "#a3123a", "#00677f",
];
/// The colour of a reference series (a standard to compare against).
const REFERENCE: &str = "#5f5f5f";

/// One series of values, one per label (`None`: no value).
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSeries {
    pub name: String,
    pub values: Vec<Option<f64>>,
    /// A reference (the standard): grey, dashed in a line chart.
    pub reference: bool,
}

impl ChartSeries {
    pub fn new(name: impl Into<String>, values: Vec<Option<f64>>) -> Self {
        Self {
            name: name.into(),
            values,
            reference: false,
        }
    }

    pub fn reference(name: impl Into<String>, values: Vec<Option<f64>>) -> Self {
        Self {
            reference: true,
            ..Self::new(name, values)
        }
    }
}

fn colour(series: &[ChartSeries], i: usize) -> &'static str {
    if series[i].reference {
        REFERENCE
    } else {
        let n = series[..i].iter().filter(|s| !s.reference).count();
        PALETTE[n % PALETTE.len()]
    }
}

/// A round top for the value axis and its step: 1, 2 or 5 times a power of ten, about
/// four steps.
pub fn nice_scale(max: f64) -> (f64, f64) {
    if !(max.is_finite() && max > 0.0) {
        return (1.0, 0.25);
    }
    let rough = max / 4.0;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * power);
    // Whole counts never need a fractional step.
    let step = if max >= 1.0 { step.max(1.0) } else { step };
    ((max / step).ceil() * step, step)
}

/// A value as text: whole numbers without decimals, others with one.
pub fn format_value(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

/// The figures as a sentence, for `<desc>`: "label: series value unit, …; …".
fn describe(labels: &[String], series: &[ChartSeries], unit: &str) -> String {
    labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let values: Vec<String> = series
                .iter()
                .map(|s| {
                    let v = s.values.get(i).copied().flatten();
                    let v =
                        v.map_or_else(|| "—".to_string(), |v| format!("{}{unit}", format_value(v)));
                    if series.len() == 1 {
                        v
                    } else {
                        format!("{} {v}", s.name)
                    }
                })
                .collect();
            format!("{}: {}", flat(label), values.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The same figures as a table for screen readers.
#[component]
fn ChartTable(
    caption: String,
    label_header: String,
    labels: Vec<String>,
    series: Vec<ChartSeries>,
    unit: String,
) -> impl IntoView {
    view! {
        // A table box ignores the hiding rule's width and overflow: its wrapper hides it.
        <div class="visually-hidden">
        <table class="chart-table">
            <caption>{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">{label_header}</th>
                    {series.iter().map(|s| view! { <th scope="col">{s.name.clone()}</th> }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {labels
                    .iter()
                    .enumerate()
                    .map(|(i, label)| {
                        view! {
                            <tr>
                                <th scope="row">{flat(label)}</th>
                                {series
                                    .iter()
                                    .map(|s| {
                                        let v = s.values.get(i).copied().flatten();
                                        view! {
                                            <td>{v.map_or_else(|| "—".to_string(), |v| format!("{}{}", format_value(v), unit))}</td>
                                        }
                                    })
                                    .collect_view()}
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        </div>
    }
}

#[component]
fn Legend(series: Vec<ChartSeries>) -> impl IntoView {
    let items: Vec<(String, &'static str, bool)> = (0..series.len())
        .map(|i| {
            (
                series[i].name.clone(),
                colour(&series, i),
                series[i].reference,
            )
        })
        .collect();
    view! {
        <ul class="chart-legend" aria-hidden="true">
            {items
                .into_iter()
                .map(|(name, colour, reference)| {
                    view! {
                        <li>
                            <span
                                class="swatch"
                                class:reference=reference
                                style=format!("background:{colour}")
                            ></span>
                            {name}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

const WIDTH: f64 = 640.0;
const FONT: f64 = 12.0;

/// A bar chart: one bar per label (vertical) or row (horizontal); several series are
/// stacked or side by side. `unit` follows each value ("件", " days").
#[component]
pub fn BarChart(
    /// Unique on the page: names the SVG's title and description.
    id: String,
    title: String,
    /// The header of the label column in the data table ("月", "分類").
    label_header: String,
    labels: Vec<String>,
    series: Vec<ChartSeries>,
    #[prop(into)] unit: String,
    #[prop(optional)] stacked: bool,
    #[prop(optional)] horizontal: bool,
) -> impl IntoView {
    let desc = describe(&labels, &series, &unit);
    let totals: Vec<f64> = (0..labels.len())
        .map(|i| {
            let values = series
                .iter()
                .filter_map(|s| s.values.get(i).copied().flatten());
            if stacked {
                values.sum()
            } else {
                values.fold(0.0, f64::max)
            }
        })
        .collect();
    let (top, step) = nice_scale(totals.iter().copied().fold(0.0, f64::max));
    let k = series.len().max(1);
    let n = labels.len().max(1);
    let mut shapes: Vec<AnyView> = Vec::new();
    let height;
    if horizontal {
        let (left, right, head) = (190.0, 48.0, 8.0);
        let row = if stacked {
            30.0
        } else {
            14.0 + 16.0 * k as f64
        };
        height = head + row * n as f64 + 28.0;
        let plot_w = WIDTH - left - right;
        let x = |v: f64| left + plot_w * v / top;
        for t in ticks(top, step) {
            shapes.push(
                view! {
                    <line class="grid" x1=x(t) x2=x(t) y1=head y2=height - 24.0></line>
                    <text class="tick" x=x(t) y=height - 8.0 text-anchor="middle">{format_value(t)}</text>
                }
                .into_any(),
            );
        }
        for (i, label) in labels.iter().enumerate() {
            let y0 = head + row * i as f64;
            shapes.push(
                view! {
                    <text class="label" x=left - 6.0 y=y0 + row / 2.0 + FONT / 3.0 text-anchor="end">
                        {clip(label, 15)}
                    </text>
                }
                .into_any(),
            );
            let mut acc = 0.0;
            for (j, s) in series.iter().enumerate() {
                let Some(v) = s.values.get(i).copied().flatten() else {
                    continue;
                };
                let (bx, by, bh) = if stacked {
                    (x(acc), y0 + 6.0, row - 12.0)
                } else {
                    (x(0.0), y0 + 7.0 + 16.0 * j as f64, 13.0)
                };
                let w = (x(v) - x(0.0)).max(0.0);
                shapes.push(
                    view! {
                        <rect x=bx y=by width=w height=bh fill=colour(&series, j)></rect>
                    }
                    .into_any(),
                );
                if !stacked || j == series.len() - 1 {
                    let end = if stacked { x(acc + v) } else { bx + w };
                    let text = if stacked { acc + v } else { v };
                    shapes.push(
                        view! {
                            <text class="value" x=end + 4.0 y=by + bh / 2.0 + FONT / 3.0>
                                {format_value(text)}
                            </text>
                        }
                        .into_any(),
                    );
                }
                acc += v;
            }
        }
    } else {
        let (left, right, head, foot) = (44.0, 12.0, 16.0, 40.0);
        height = 300.0;
        let plot_w = WIDTH - left - right;
        let plot_h = height - head - foot;
        let band = plot_w / n as f64;
        let y = |v: f64| head + plot_h * (1.0 - v / top);
        shapes.extend(value_grid(left, right, (top, step), y));
        let bar_w = if stacked {
            band * 0.6
        } else {
            band * 0.8 / k as f64
        };
        for (i, label) in labels.iter().enumerate() {
            let x0 = left + band * i as f64;
            shapes.push(
                view! {
                    <text class="label" x=x0 + band / 2.0 y=height - foot + 16.0 text-anchor="middle">
                        {lines(label, x0 + band / 2.0)}
                    </text>
                }
                .into_any(),
            );
            let mut acc = 0.0;
            for (j, s) in series.iter().enumerate() {
                let Some(v) = s.values.get(i).copied().flatten() else {
                    continue;
                };
                let bx = if stacked {
                    x0 + band * 0.2
                } else {
                    x0 + band * 0.1 + bar_w * j as f64
                };
                let (from, to) = if stacked { (acc, acc + v) } else { (0.0, v) };
                shapes.push(
                    view! {
                        <rect x=bx y=y(to) width=bar_w height=(y(from) - y(to)).max(0.0) fill=colour(&series, j)></rect>
                    }
                    .into_any(),
                );
                if !stacked || j == series.len() - 1 {
                    shapes.push(
                        view! {
                            <text class="value" x=bx + bar_w / 2.0 y=y(to) - 4.0 text-anchor="middle">
                                {format_value(to)}
                            </text>
                        }
                        .into_any(),
                    );
                }
                acc += v;
            }
        }
        shapes.push(base_line(left, right, y(0.0)));
    }
    view! {
        <ChartFigure
            id=id
            title=title
            desc=desc
            height=height
            shapes=shapes
            label_header=label_header
            labels=labels
            series=series
            unit=unit
        />
    }
}

/// A line chart: one point per label for each series, joined; a reference series is
/// dashed and grey.
#[component]
pub fn LineChart(
    id: String,
    title: String,
    label_header: String,
    labels: Vec<String>,
    series: Vec<ChartSeries>,
    #[prop(into)] unit: String,
) -> impl IntoView {
    let desc = describe(&labels, &series, &unit);
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied().flatten())
        .fold(0.0, f64::max);
    let (top, step) = nice_scale(max);
    let (left, right, head, foot) = (44.0, 12.0, 20.0, 40.0);
    let height = 280.0;
    let plot_w = WIDTH - left - right;
    let plot_h = height - head - foot;
    let n = labels.len().max(1);
    let band = plot_w / n as f64;
    let x = |i: usize| left + band * (i as f64 + 0.5);
    let y = |v: f64| head + plot_h * (1.0 - v / top);
    let mut shapes: Vec<AnyView> = Vec::new();
    shapes.extend(value_grid(left, right, (top, step), y));
    for (i, label) in labels.iter().enumerate() {
        shapes.push(
            view! {
                <text class="label" x=x(i) y=height - foot + 16.0 text-anchor="middle">{lines(label, x(i))}</text>
            }
            .into_any(),
        );
    }
    for (j, s) in series.iter().enumerate() {
        let points: Vec<(f64, f64, f64)> = s
            .values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (x(i), y(v), v)))
            .collect();
        let path: Vec<String> = points
            .iter()
            .map(|(px, py, _)| format!("{px:.1},{py:.1}"))
            .collect();
        let c = colour(&series, j);
        shapes.push(
            view! {
                <polyline
                    class="line"
                    class:reference=s.reference
                    points=path.join(" ")
                    fill="none"
                    stroke=c
                ></polyline>
            }
            .into_any(),
        );
        for (px, py, v) in points {
            shapes.push(
                view! {
                    <circle cx=px cy=py r="4" fill=c></circle>
                    <text class="value" x=px y=py - 8.0 text-anchor="middle">{format_value(v)}</text>
                }
                .into_any(),
            );
        }
    }
    shapes.push(base_line(left, right, y(0.0)));
    view! {
        <ChartFigure
            id=id
            title=title
            desc=desc
            height=height
            shapes=shapes
            label_header=label_header
            labels=labels
            series=series
            unit=unit
        />
    }
}

/// The figure around a chart's shapes: the SVG named by its title and described by every
/// figure, the caption, the legend when there are several series, and the data table.
#[component]
fn ChartFigure(
    id: String,
    title: String,
    desc: String,
    height: f64,
    shapes: Vec<AnyView>,
    label_header: String,
    labels: Vec<String>,
    series: Vec<ChartSeries>,
    unit: String,
) -> impl IntoView {
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let labelled_by = format!("{title_id} {desc_id}");
    let show_legend = series.len() > 1;
    view! {
        <figure class="chart" data-testid=format!("chart-{id}")>
            <svg
                class="chart-svg"
                viewBox=format!("0 0 {WIDTH} {height}")
                role="img"
                aria-labelledby=labelled_by
            >
                <title id=title_id>{title.clone()}</title>
                <desc id=desc_id>{desc}</desc>
                {shapes}
            </svg>
            <figcaption aria-hidden="true">{title.clone()}</figcaption>
            {show_legend.then(|| view! { <Legend series=series.clone()/> })}
            <ChartTable caption=title label_header=label_header labels=labels series=series unit=unit/>
        </figure>
    }
}

/// The values of a scale's lines: 0, `step`, … up to `top`.
fn ticks(top: f64, step: f64) -> Vec<f64> {
    let mut ticks = Vec::new();
    let mut t = 0.0;
    while t <= top + 1e-9 {
        ticks.push(t);
        t += step;
    }
    ticks
}

/// The grid of a vertical scale (`top`, `step`) placed by `y`, its values at the left.
fn value_grid(
    left: f64,
    right: f64,
    (top, step): (f64, f64),
    y: impl Fn(f64) -> f64,
) -> Vec<AnyView> {
    ticks(top, step)
        .into_iter()
        .map(|t| {
            view! {
                <line class="grid" x1=left x2=WIDTH - right y1=y(t) y2=y(t)></line>
                <text class="tick" x=left - 6.0 y=y(t) + FONT / 3.0 text-anchor="end">{format_value(t)}</text>
            }
            .into_any()
        })
        .collect()
}

/// The axis line at zero, at `y0`.
fn base_line(left: f64, right: f64, y0: f64) -> AnyView {
    view! { <line class="axis" x1=left x2=WIDTH - right y1=y0 y2=y0></line> }.into_any()
}

/// A label of one or two lines (`\n`), each cut to 8 characters, as `<tspan>`s at `x`.
fn lines(label: &str, x: f64) -> impl IntoView {
    label
        .split('\n')
        .enumerate()
        .map(|(i, line)| {
            let dy = if i == 0 { "0" } else { "1.2em" };
            view! { <tspan x=x dy=dy>{clip(line, 8)}</tspan> }
        })
        .collect_view()
}

/// A label on one line, for the description and the table.
fn flat(label: &str) -> String {
    label.replace('\n', " ")
}

/// A label cut to `max` characters with an ellipsis (the table has it whole).
fn clip(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn scales_are_round() {
        assert_eq!(nice_scale(0.0), (1.0, 0.25));
        assert_eq!(nice_scale(3.0), (3.0, 1.0));
        assert_eq!(nice_scale(7.0), (8.0, 2.0));
        assert_eq!(nice_scale(37.0), (40.0, 10.0));
        assert_eq!(nice_scale(0.5).1, 0.2);
        assert_eq!(format_value(2.0), "2");
        assert_eq!(format_value(2.5), "2.5");
        assert_eq!(clip("高齢者の見守り・介護", 5), "高齢者の…");
    }

    #[wasm_bindgen_test]
    fn the_description_has_every_figure() {
        let labels = vec!["2026-04".to_string(), "2026-05".to_string()];
        let series = vec![
            ChartSeries::new("建設部", vec![Some(3.0), None]),
            ChartSeries::reference("基準", vec![Some(2.0), Some(2.0)]),
        ];
        assert_eq!(
            describe(&labels, &series, "件"),
            "2026-04: 建設部 3件, 基準 2件; 2026-05: 建設部 —, 基準 2件"
        );
        assert_eq!(colour(&series, 0), PALETTE[0]);
        assert_eq!(colour(&series, 1), REFERENCE);
    }
}
