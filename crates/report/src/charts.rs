//! The report's charts as SVG text, drawn with plotters. Every chart has a title, axis labels
//! with units and the window it covers; inputs arrive sorted, so the output is deterministic.

use std::f64::consts::PI;

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Drawing failed (plotters reports errors from its backend).
#[derive(Debug, thiserror::Error)]
#[error("cannot draw the {chart} chart: {message}")]
pub struct ChartError {
    chart: &'static str,
    message: String,
}

fn failed(chart: &'static str) -> impl Fn(&dyn std::fmt::Display) -> ChartError {
    move |e| ChartError {
        chart,
        message: e.to_string(),
    }
}

const FONT: &str = "sans-serif";
const WIDTH: u32 = 960;

/// An x-axis formatter for periods at 0, 1, 2, …: every `every`-th label, the others empty.
/// Charts ask for a candidate label at every period (`x_labels(n)`) so that the shown ones fall
/// on whole periods whatever steps plotters would pick.
fn every_nth(labels: &[String], every: usize) -> impl Fn(&f64) -> String + '_ {
    move |x: &f64| {
        let i = x.round() as usize;
        if (*x - x.round()).abs() < 1e-9 && i < labels.len() && i.is_multiple_of(every) {
            labels[i].clone()
        } else {
            String::new()
        }
    }
}

/// Shortens long paths for labels, keeping their end.
fn short(label: &str, max: usize) -> String {
    let count = label.chars().count();
    if count <= max {
        label.to_owned()
    } else {
        let tail: String = label.chars().skip(count - (max - 1)).collect();
        format!("…{tail}")
    }
}

/// One file of the hotspot chart.
#[derive(Debug, Clone)]
pub struct HotspotPoint {
    /// Path.
    pub name: String,
    /// Change sets in the window.
    pub revisions: f64,
    /// Indentation complexity.
    pub complexity: f64,
    /// Non-blank lines (bubble area).
    pub loc: f64,
}

/// Revisions (x) against complexity (y), bubble area proportional to loc; the first `labelled`
/// points are labelled with their rank and name.
pub fn hotspot_chart(
    points: &[HotspotPoint],
    labelled: usize,
    window: &str,
) -> Result<String, ChartError> {
    let fail = failed("hotspot");
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 600)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        let x_max = points.iter().map(|p| p.revisions).fold(1.0, f64::max) * 1.1;
        let y_max = points.iter().map(|p| p.complexity).fold(1.0, f64::max) * 1.1;
        let loc_max = points.iter().map(|p| p.loc).fold(1.0, f64::max);
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("Hotspots (bubble area: lines of code), {window}"),
                (FONT, 20),
            )
            .margin(16)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..x_max, 0f64..y_max)
            .map_err(|e| fail(&e))?;
        chart
            .configure_mesh()
            .x_desc("revisions (change sets in the window)")
            .y_desc("complexity (total indentation)")
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(|e| fail(&e))?;
        // Largest first, so that small bubbles stay visible on top.
        let mut order: Vec<&HotspotPoint> = points.iter().collect();
        order.sort_by(|a, b| b.loc.total_cmp(&a.loc).then(a.name.cmp(&b.name)));
        chart
            .draw_series(order.iter().map(|p| {
                let radius = 3.0 + 27.0 * (p.loc / loc_max).sqrt();
                Circle::new(
                    (p.revisions, p.complexity),
                    radius as i32,
                    RGBColor(31, 119, 180).mix(0.35).filled(),
                )
            }))
            .map_err(|e| fail(&e))?;
        // Labels in pixels: to the left of points in the right third, moved down while they
        // would overlap a label already placed.
        let mut placed: Vec<(i32, i32, i32, i32)> = Vec::new();
        let (right_edge, _) = chart.backend_coord(&(x_max * 0.66, 0.0));
        for (i, p) in points.iter().take(labelled).enumerate() {
            let text = format!("{} {}", i + 1, short(&p.name, 40));
            let width = 7 * text.chars().count() as i32;
            let (px, py) = chart.backend_coord(&(p.revisions, p.complexity));
            let left_side = px > right_edge;
            let x0 = if left_side { px - 8 - width } else { px + 8 };
            let mut y = py - 6;
            while placed
                .iter()
                .any(|&(a, b, c, d)| x0 < c && a < x0 + width && y < d && b < y + 14)
            {
                y += 14;
            }
            placed.push((x0, y, x0 + width, y + 14));
            root.draw(&PathElement::new(
                vec![(px, py), (if left_side { x0 + width } else { x0 }, y + 7)],
                BLACK.mix(0.4),
            ))
            .map_err(|e| fail(&e))?;
            root.draw(&Text::new(
                text,
                (x0, y + 7),
                (FONT, 12)
                    .into_font()
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(|e| fail(&e))?;
        }
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(svg)
}

/// A matrix of coupling degrees between `names` (row i, column j → degree in percent, 0 when not
/// coupled), coloured from white to dark blue, with a legend.
pub fn heatmap(names: &[String], degree: &[Vec<u32>], window: &str) -> Result<String, ChartError> {
    let fail = failed("co-change heatmap");
    let n = names.len().max(1);
    let cell = (480 / n).clamp(14, 40) as i32;
    let label_width = 340;
    let size = (
        label_width + cell * n as i32 + 140,
        label_width + cell * n as i32 + 40,
    );
    let colour = |d: u32| {
        let t = f64::from(d.min(100)) / 100.0;
        let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
        RGBColor(mix(255.0, 8.0), mix(255.0, 48.0), mix(255.0, 107.0))
    };
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (size.0 as u32, size.1 as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        let title = (FONT, 20).into_font().color(&BLACK);
        root.draw(&Text::new(
            format!("Co-change heatmap: degree of coupling (%), {window}"),
            (16, 12),
            title,
        ))
        .map_err(|e| fail(&e))?;
        let origin = (label_width, 60);
        let label = (FONT, 12).into_font().color(&BLACK);
        for (i, name) in names.iter().enumerate() {
            let y = origin.1 + cell * i as i32 + cell / 2;
            root.draw(&Text::new(
                short(name, 40),
                (origin.0 - 6, y),
                label.clone().pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(|e| fail(&e))?;
            // Column labels: numbers keyed to the row labels, to keep them short and apart.
            root.draw(&Text::new(
                format!("{}", i + 1),
                (origin.0 + cell * i as i32 + cell / 2, origin.1 - 6),
                label.clone().pos(Pos::new(HPos::Center, VPos::Bottom)),
            ))
            .map_err(|e| fail(&e))?;
            root.draw(&Text::new(
                format!("{}", i + 1),
                (8, y),
                label.clone().pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(|e| fail(&e))?;
            for (j, &d) in degree[i].iter().enumerate() {
                let x = origin.0 + cell * j as i32;
                let y = origin.1 + cell * i as i32;
                let fill = if i == j {
                    RGBColor(220, 220, 220)
                } else {
                    colour(d)
                };
                root.draw(&Rectangle::new(
                    [(x, y), (x + cell - 1, y + cell - 1)],
                    fill.filled(),
                ))
                .map_err(|e| fail(&e))?;
            }
        }
        // Legend: a ramp from 0 to 100 %.
        let lx = origin.0 + cell * n as i32 + 30;
        for step in 0..=10u32 {
            let y = origin.1 + 20 * step as i32;
            root.draw(&Rectangle::new(
                [(lx, y), (lx + 20, y + 19)],
                colour(step * 10).filled(),
            ))
            .map_err(|e| fail(&e))?;
            root.draw(&Rectangle::new(
                [(lx, y), (lx + 20, y + 19)],
                BLACK.mix(0.2),
            ))
            .map_err(|e| fail(&e))?;
            root.draw(&Text::new(
                format!("{} %", step * 10),
                (lx + 26, y + 10),
                label.clone().pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(|e| fail(&e))?;
        }
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(svg)
}

/// A node of the coupling graph.
#[derive(Debug, Clone)]
pub struct Node {
    /// Folder or component name.
    pub name: String,
    /// Change sets that touched it.
    pub revisions: f64,
}

/// Components (or folders) on a circle, sized by revisions, joined by edges whose width and darkness follow the
/// degree of coupling; labels sit outside the circle, turned away from it.
pub fn coupling_graph(
    nodes: &[Node],
    edges: &[(usize, usize, u32)],
    window: &str,
) -> Result<String, ChartError> {
    let fail = failed("coupling graph");
    let (width, height) = (WIDTH as i32, 820);
    let centre = (f64::from(width) / 2.0, f64::from(height) / 2.0 + 20.0);
    let radius = 270.0;
    let position = |i: usize| {
        let angle = 2.0 * PI * i as f64 / nodes.len().max(1) as f64 - PI / 2.0;
        (
            angle,
            centre.0 + radius * angle.cos(),
            centre.1 + radius * angle.sin(),
        )
    };
    let max_revisions = nodes.iter().map(|n| n.revisions).fold(1.0, f64::max);
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (width as u32, height as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        root.draw(&Text::new(
            format!(
                "Coupling between components (edges: degree ≥ 10 %, darker and wider when stronger; node: revisions), {window}"
            ),
            (16, 12),
            (FONT, 20).into_font().color(&BLACK),
        ))
        .map_err(|e| fail(&e))?;
        for &(a, b, degree) in edges {
            let (_, x1, y1) = position(a);
            let (_, x2, y2) = position(b);
            let t = f64::from(degree.min(100)) / 100.0;
            let shade = (200.0 - 170.0 * t) as u8;
            let style = RGBColor(shade, shade, 230).stroke_width(1 + (5.0 * t) as u32);
            root.draw(&PathElement::new(
                vec![(x1 as i32, y1 as i32), (x2 as i32, y2 as i32)],
                style,
            ))
            .map_err(|e| fail(&e))?;
        }
        for (i, node) in nodes.iter().enumerate() {
            let (angle, x, y) = position(i);
            let r = 4.0 + 16.0 * (node.revisions / max_revisions).sqrt();
            root.draw(&Circle::new(
                (x as i32, y as i32),
                r as i32,
                RGBColor(255, 127, 14).mix(0.8).filled(),
            ))
            .map_err(|e| fail(&e))?;
            let gap = r + 6.0;
            let (lx, ly) = (x + gap * angle.cos(), y + gap * angle.sin());
            let anchor = if angle.cos() >= 0.0 {
                HPos::Left
            } else {
                HPos::Right
            };
            root.draw(&Text::new(
                format!("{} ({})", short(&node.name, 28), node.revisions),
                (lx as i32, ly as i32),
                (FONT, 12)
                    .into_font()
                    .color(&BLACK)
                    .pos(Pos::new(anchor, VPos::Center)),
            ))
            .map_err(|e| fail(&e))?;
        }
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(svg)
}

/// Change sets per month (bars, top) and mean files per change set (line, bottom).
pub fn activity_chart(months: &[(String, u64, f64)], window: &str) -> Result<String, ChartError> {
    let fail = failed("activity");
    let n = months.len().max(1);
    let label_every = n.div_ceil(10).max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 640)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        let (top, bottom) = root.split_vertically(330);
        let labels: Vec<String> = months.iter().map(|m| m.0.clone()).collect();
        let label_of = every_nth(&labels, label_every);
        let max_sets = months.iter().map(|m| m.1).max().unwrap_or(1).max(1) as f64;
        let caption = format!("Change sets per month, {window}");
        let mut chart = month_panel(&top, &caption, n, max_sets, "change sets", &label_of)?;
        chart
            .draw_series(months.iter().enumerate().map(|(i, m)| {
                Rectangle::new(
                    [(i as f64 - 0.4, 0.0), (i as f64 + 0.4, m.1 as f64)],
                    RGBColor(31, 119, 180).filled(),
                )
            }))
            .map_err(|e| fail(&e))?;
        let max_mean = months.iter().map(|m| m.2).fold(1.0, f64::max);
        let mut chart = month_panel(
            &bottom,
            "Mean files per change set",
            n,
            max_mean,
            "files per change set",
            &label_of,
        )?;
        chart
            .draw_series(LineSeries::new(
                months
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| m.1 > 0)
                    .map(|(i, m)| (i as f64, m.2)),
                RGBColor(214, 39, 40).stroke_width(2),
            ))
            .map_err(|e| fail(&e))?;
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(svg)
}

/// A chart with `f64` coordinates on both axes.
type Panel<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// One panel of the activity chart: months 0..n on x (labelled by `label_of`), 0 to 110 % of
/// `y_max` on y, with its caption, axes and mesh drawn.
fn month_panel<'a, 'b>(
    area: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    caption: &str,
    n: usize,
    y_max: f64,
    y_desc: &str,
    label_of: &dyn Fn(&f64) -> String,
) -> Result<Panel<'a, 'b>, ChartError> {
    let fail = failed("activity");
    let mut chart = ChartBuilder::on(area)
        .caption(caption, (FONT, 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(60)
        .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..y_max * 1.1)
        .map_err(|e| fail(&e))?;
    chart
        .configure_mesh()
        .x_labels(n)
        .x_label_formatter(label_of)
        .x_desc("month (UTC)")
        .y_desc(y_desc)
        .disable_x_mesh()
        .draw()
        .map_err(|e| fail(&e))?;
    Ok(chart)
}

/// Horizontal bars: the main developer's share of added lines per folder, labelled with the
/// developer.
pub fn ownership_chart(
    folders: &[(String, String, f64)],
    window: &str,
) -> Result<String, ChartError> {
    let fail = failed("ownership");
    let row = 24;
    let height = 90 + row * folders.len().max(1) as i32 + 50;
    let (left, bar_width) = (260, 480);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        root.draw(&Text::new(
            format!("Main developer's share of added lines per folder, {window}"),
            (16, 12),
            (FONT, 20).into_font().color(&BLACK),
        ))
        .map_err(|e| fail(&e))?;
        let label = (FONT, 12).into_font().color(&BLACK);
        let top = 60;
        for (i, (folder, developer, share)) in folders.iter().enumerate() {
            let y = top + row * i as i32;
            root.draw(&Text::new(
                short(folder, 36),
                (left - 8, y + row / 2),
                label.clone().pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(|e| fail(&e))?;
            root.draw(&Rectangle::new(
                [(left, y + 3), (left + bar_width, y + row - 3)],
                RGBColor(235, 235, 235).filled(),
            ))
            .map_err(|e| fail(&e))?;
            let end = left + (f64::from(bar_width) * share.clamp(0.0, 1.0)) as i32;
            root.draw(&Rectangle::new(
                [(left, y + 3), (end, y + row - 3)],
                RGBColor(44, 160, 44).filled(),
            ))
            .map_err(|e| fail(&e))?;
            root.draw(&Text::new(
                format!("{:.0} % {}", share * 100.0, short(developer, 30)),
                (left + bar_width + 8, y + row / 2),
                label.clone().pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(|e| fail(&e))?;
        }
        let axis_y = top + row * folders.len() as i32 + 8;
        for step in 0..=4 {
            let x = left + bar_width * step / 4;
            root.draw(&Text::new(
                format!("{} %", step * 25),
                (x, axis_y),
                label.clone().pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(|e| fail(&e))?;
        }
        root.draw(&Text::new(
            "share of the folder's added lines (%)",
            (left + bar_width / 2, axis_y + 20),
            label.pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(|e| fail(&e))?;
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(svg)
}

/// One small line chart per series, three to a row: `(name, unit, values)` over `labels`.
pub fn trend_chart(
    labels: &[String],
    series: &[(String, String, Vec<f64>)],
    span: &str,
) -> Result<String, ChartError> {
    let fail = failed("trends");
    let rows = series.len().div_ceil(3).max(1);
    let height = 60 + 260 * rows as u32;
    let n = labels.len().max(1);
    let label_every = n.div_ceil(6).max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        root.draw(&Text::new(
            format!("Trends per period, {span}"),
            (16, 12),
            (FONT, 20).into_font().color(&BLACK),
        ))
        .map_err(|e| fail(&e))?;
        let body = root.margin(50, 0, 0, 0);
        let panels = body.split_evenly((rows, 3));
        for ((name, unit, values), panel) in series.iter().zip(panels.iter()) {
            let max = values.iter().copied().fold(0.0, f64::max);
            let top = if max > 0.0 { max * 1.1 } else { 1.0 };
            let mut chart = ChartBuilder::on(panel)
                .caption(name.replace('_', " "), (FONT, 14))
                .margin(8)
                .x_label_area_size(28)
                .y_label_area_size(48)
                .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..top)
                .map_err(|e| fail(&e))?;
            let label_of = every_nth(labels, label_every);
            chart
                .configure_mesh()
                .x_labels(n)
                .x_label_formatter(&label_of)
                .y_labels(4)
                .y_desc(unit.as_str())
                .label_style((FONT, 10))
                .axis_desc_style((FONT, 10))
                .disable_x_mesh()
                .draw()
                .map_err(|e| fail(&e))?;
            chart
                .draw_series(LineSeries::new(
                    values.iter().enumerate().map(|(i, v)| (i as f64, *v)),
                    RGBColor(31, 119, 180).stroke_width(2),
                ))
                .map_err(|e| fail(&e))?;
        }
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(svg)
}
