//! The report's charts as SVG text, drawn with plotters. Every chart has a title, axis labels
//! with units and the window it covers; inputs arrive sorted, so the output is deterministic.

use std::f64::consts::PI;

use std::fmt::Write as _;

use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
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

/// Nodes (components or folders) a ring graph draws at most.
pub(crate) const GRAPH_FOLDERS: usize = 40;

const FONT: &str = "sans-serif";
const WIDTH: u32 = 960;

/// Shortens long paths for labels, keeping their end from a folder boundary (`…/io/mod.rs`), or
/// the last `max` characters of a name that is long by itself.
fn short(label: &str, max: usize) -> String {
    let count = label.chars().count();
    if count <= max {
        return label.to_owned();
    }
    let tail: String = label.chars().skip(count - (max - 1)).collect();
    match tail.find('/') {
        Some(slash) if slash + 1 < tail.len() => format!("…{}", &tail[slash..]),
        _ => format!("…{tail}"),
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

/// What a hotspot chart says of itself: its caption and the descriptions of its axes.
#[derive(Debug, Clone, Copy)]
pub struct HotspotAxes<'a> {
    /// What the points are, before the window: `Hotspots`, `Functions of src/a.rs`.
    pub what: &'a str,
    /// The x axis.
    pub x: &'a str,
    /// The y axis.
    pub y: &'a str,
}

/// The axes of the files' hotspot chart.
pub const FILE_HOTSPOTS: HotspotAxes<'static> = HotspotAxes {
    what: "Hotspots",
    x: "revisions (change sets in the window)",
    y: "complexity (total indentation)",
};

/// The font size of a caption across the chart's width: 20, less for a long one (an average
/// glyph is about 0.55 of the size), at least 11.
fn caption_size(caption: &str) -> u32 {
    let fits = f64::from(WIDTH - 40) / (0.55 * caption.chars().count().max(1) as f64);
    fits.clamp(11.0, 20.0) as u32
}

/// Revisions (x) against complexity (y), bubble area proportional to loc. The first `labelled`
/// points, and the most changed one, are named in a column to the right of the plot, each joined
/// to the edge of its own bubble by a line, so that labels cover neither bubbles nor axes. Each
/// bubble, line and label carries `data-rank` (its place in `points`, from 1) and each bubble a
/// title with its numbers.
pub fn hotspot_chart(
    points: &[HotspotPoint],
    labelled: usize,
    window: &str,
    axes: &HotspotAxes<'_>,
) -> Result<String, ChartError> {
    const PLOT_WIDTH: u32 = 640;
    let fail = failed("hotspot");
    let mut svg = String::new();
    let mut bubbles: Vec<(usize, i32, i32, f64)> = Vec::new();
    let (right_edge, top_edge, bottom_edge);
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 600)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        // Over the whole width, smaller when long (a file's path can be), so that it is never cut.
        let caption = format!("{} (bubble area: lines of code), {window}", axes.what);
        let root = root
            .titled(&caption, (FONT, caption_size(&caption)))
            .map_err(|e| fail(&e))?;
        let (plot_area, _) = root.split_horizontally(PLOT_WIDTH);
        let x_max = points.iter().map(|p| p.revisions).fold(1.0, f64::max) * 1.1;
        let y_max = points.iter().map(|p| p.complexity).fold(1.0, f64::max) * 1.1;
        let loc_max = points.iter().map(|p| p.loc).fold(1.0, f64::max);
        let mut chart = ChartBuilder::on(&plot_area)
            .margin(16)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..x_max, 0f64..y_max)
            .map_err(|e| fail(&e))?;
        chart
            .configure_mesh()
            .x_desc(axes.x)
            .y_desc(axes.y)
            .x_label_formatter(&|x: &f64| number(*x))
            .y_label_formatter(&|y: &f64| number(*y))
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 13))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(|e| fail(&e))?;
        (right_edge, top_edge) = chart.backend_coord(&(x_max, y_max));
        bottom_edge = chart.backend_coord(&(0.0, 0.0)).1;
        for (i, p) in points.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(p.revisions, p.complexity));
            bubbles.push((i, x, y, 3.0 + 27.0 * (p.loc / loc_max).sqrt()));
        }
        root.present().map_err(|e| fail(&e))?;
    }
    // Leader lines first, so that the bubbles they pass cover them; then bubbles; then labels.
    let mut leaders = String::new();
    let mut extra = String::new();
    // Largest first, so that small bubbles stay visible on top.
    let mut order: Vec<&(usize, i32, i32, f64)> = bubbles.iter().collect();
    order.sort_by(|a, b| b.3.total_cmp(&a.3).then(a.0.cmp(&b.0)));
    for &&(i, x, y, r) in &order {
        let p = &points[i];
        let _ = write!(
            extra,
            r##"<circle data-rank="{}" cx="{x}" cy="{y}" r="{r:.1}" fill="#1f77b4" fill-opacity="0.35"><title>{} {}: {} revisions, complexity {}, {} lines</title></circle>"##,
            i + 1,
            i + 1,
            escape_xml(&p.name),
            p.revisions,
            p.complexity,
            p.loc
        );
    }
    let mut named = labelled_points(points, labelled);
    // In the column, in the order of their bubbles from top to bottom, at least a line apart.
    named.sort_by_key(|&i| (bubbles[i].2, i));
    let (column_x, line_height) = (right_edge + 40, 17);
    let count = named.len() as i32;
    let mut next_free = top_edge;
    let last_allowed = (bottom_edge - line_height * count).max(top_edge);
    for (slot, &i) in named.iter().enumerate() {
        let (_, bx, by, r) = bubbles[i];
        let y = by.clamp(next_free, last_allowed + line_height * slot as i32);
        next_free = y + line_height;
        // From the point of the bubble's edge that faces the label.
        let (dx, dy) = (f64::from(column_x - bx), f64::from(y - by));
        let length = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ex, ey) = (
            f64::from(bx) + dx / length * r,
            f64::from(by) + dy / length * r,
        );
        let _ = write!(
            leaders,
            r##"<line class="leader" data-rank="{rank}" x1="{ex:.1}" y1="{ey:.1}" x2="{}" y2="{y}" stroke="#555555" stroke-opacity="0.7" stroke-width="1"/>"##,
            column_x - 4,
            rank = i + 1,
        );
        let _ = write!(
            extra,
            r##"<text data-rank="{rank}" x="{}" y="{y}" font-size="13" font-family="{FONT}" dominant-baseline="middle" fill="#000000">{rank} {}</text>"##,
            column_x,
            escape_xml(&short(&points[i].name, 34)),
            rank = i + 1,
        );
    }
    leaders.push_str(&extra);
    let end = svg.rfind("</svg>").unwrap_or(svg.len());
    svg.insert_str(end, &leaders);
    Ok(svg)
}

/// The points named in the hotspot chart: the first `labelled`, and the most changed one.
fn labelled_points(points: &[HotspotPoint], labelled: usize) -> Vec<usize> {
    let mut named: Vec<usize> = (0..points.len().min(labelled)).collect();
    if let Some(most) = (0..points.len()).max_by(|&a, &b| {
        points[a]
            .revisions
            .total_cmp(&points[b].revisions)
            .then(b.cmp(&a))
    }) && !named.contains(&most)
    {
        named.push(most);
    }
    named
}

/// An axis number: whole numbers without decimals, others with at most two.
fn number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        let text = format!("{v:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// Text for SVG: `&`, `<`, `>` and `"` escaped.
fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
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

/// Where the nodes of a ring graph sit: `n` nodes evenly on a circle, the first at the top;
/// each position is `(angle, x, y)`.
struct Ring {
    n: usize,
    centre: (f64, f64),
    radius: f64,
}

impl Ring {
    const WIDTH: i32 = WIDTH as i32;
    const HEIGHT: i32 = 820;

    fn new(n: usize) -> Ring {
        Ring {
            n: n.max(1),
            centre: (
                f64::from(Ring::WIDTH) / 2.0,
                f64::from(Ring::HEIGHT) / 2.0 + 20.0,
            ),
            radius: 270.0,
        }
    }

    fn position(&self, i: usize) -> (f64, f64, f64) {
        let angle = 2.0 * PI * i as f64 / self.n as f64 - PI / 2.0;
        (
            angle,
            self.centre.0 + self.radius * angle.cos(),
            self.centre.1 + self.radius * angle.sin(),
        )
    }

    fn point(&self, i: usize) -> (i32, i32) {
        let (_, x, y) = self.position(i);
        (x as i32, y as i32)
    }

    /// The nodes as circles sized by revisions, labels outside the circle turned away from it.
    fn draw_nodes(
        &self,
        root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
        nodes: &[Node],
        fail: &dyn Fn(&dyn std::fmt::Display) -> ChartError,
    ) -> Result<(), ChartError> {
        let max_revisions = nodes.iter().map(|n| n.revisions).fold(1.0, f64::max);
        for (i, node) in nodes.iter().enumerate() {
            let (angle, x, y) = self.position(i);
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
        Ok(())
    }
}

/// The drawing area of a ring chart.
type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// A ring chart of `nodes` titled `title`: `edges` draws what joins them (and anything else) on
/// the white area, then the nodes are drawn over it.
fn ring_chart(
    chart: &'static str,
    nodes: &[Node],
    title: String,
    edges: impl FnOnce(
        &Area<'_>,
        &Ring,
        &dyn Fn(&dyn std::fmt::Display) -> ChartError,
    ) -> Result<(), ChartError>,
) -> Result<String, ChartError> {
    let fail = failed(chart);
    let ring = Ring::new(nodes.len());
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (WIDTH, Ring::HEIGHT as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        root.draw(&Text::new(
            title,
            (16, 12),
            (FONT, 20).into_font().color(&BLACK),
        ))
        .map_err(|e| fail(&e))?;
        edges(&root, &ring, &fail)?;
        ring.draw_nodes(&root, nodes, &fail)?;
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(svg)
}

/// Components (or folders) on a circle, sized by revisions, joined by edges whose width and darkness follow the
/// degree of coupling; labels sit outside the circle, turned away from it.
pub fn coupling_graph(
    nodes: &[Node],
    edges: &[(usize, usize, u32)],
    window: &str,
) -> Result<String, ChartError> {
    ring_chart(
        "coupling graph",
        nodes,
        format!(
            "Coupling between components (edges: degree ≥ 10 %, darker and wider when stronger; node: revisions), {window}"
        ),
        |root, ring, fail| {
            for &(a, b, degree) in edges {
                let t = f64::from(degree.min(100)) / 100.0;
                let shade = (200.0 - 170.0 * t) as u8;
                let style = RGBColor(shade, shade, 230).stroke_width(1 + (5.0 * t) as u32);
                root.draw(&PathElement::new(vec![ring.point(a), ring.point(b)], style))
                    .map_err(|e| fail(&e))?;
            }
            Ok(())
        },
    )
}

/// An import dependency of the dependency chart: from node, to node, and whether it lies in a
/// cycle.
#[derive(Debug, Clone, Copy)]
pub struct ImportEdge {
    /// The importing component.
    pub from: usize,
    /// The imported component.
    pub to: usize,
    /// Whether the dependency is inside a cycle of the component graph.
    pub in_cycle: bool,
}

/// A co-change edge of the dependency chart: two nodes, their degree of coupling, and whether
/// no import joins them either way (hidden coupling).
#[derive(Debug, Clone, Copy)]
pub struct CoChangeEdge {
    /// One component.
    pub a: usize,
    /// The other.
    pub b: usize,
    /// Degree of coupling, in percent.
    pub degree: u32,
    /// Whether no import joins the two.
    pub hidden: bool,
}

const CYCLE_RED: RGBColor = RGBColor(214, 39, 40);
const IMPORT_GREY: RGBColor = RGBColor(90, 90, 90);
const CO_CHANGE_BLUE: RGBColor = RGBColor(80, 110, 220);
const HIDDEN_PURPLE: RGBColor = RGBColor(148, 40, 190);

/// Components on a circle as in [`coupling_graph`], with their import dependencies as solid
/// arrows (red inside a cycle) and their co-change as dashed lines (purple where no import joins
/// the two: hidden coupling), and a legend.
pub fn dependency_graph(
    nodes: &[Node],
    imports: &[ImportEdge],
    co_changes: &[CoChangeEdge],
    window: &str,
) -> Result<String, ChartError> {
    ring_chart(
        "dependency graph",
        nodes,
        format!("Component dependencies at the analysed revision and co-change in {window}"),
        |root, ring, fail| {
            for edge in co_changes {
                let t = f64::from(edge.degree.min(100)) / 100.0;
                let colour = if edge.hidden {
                    HIDDEN_PURPLE
                } else {
                    CO_CHANGE_BLUE
                };
                let style = colour.mix(0.8).stroke_width(1 + (4.0 * t) as u32);
                root.draw(&DashedPathElement::new(
                    vec![ring.point(edge.a), ring.point(edge.b)],
                    6,
                    4,
                    style,
                ))
                .map_err(|e| fail(&e))?;
            }
            for edge in imports {
                let colour = if edge.in_cycle {
                    CYCLE_RED
                } else {
                    IMPORT_GREY
                };
                let (from, to) = (ring.point(edge.from), ring.point(edge.to));
                root.draw(&PathElement::new(vec![from, to], colour.stroke_width(2)))
                    .map_err(|e| fail(&e))?;
                for wing in arrow_head(from, to) {
                    root.draw(&PathElement::new(
                        vec![wing, arrow_tip(from, to)],
                        colour.stroke_width(2),
                    ))
                    .map_err(|e| fail(&e))?;
                }
            }
            let legend: [(&str, RGBColor, bool); 4] = [
                ("import (arrow: who imports whom)", IMPORT_GREY, false),
                ("import inside a cycle", CYCLE_RED, false),
                (
                    "changed together, an import joins them (or a side has no imports read)",
                    CO_CHANGE_BLUE,
                    true,
                ),
                (
                    "changed together, no import: hidden coupling",
                    HIDDEN_PURPLE,
                    true,
                ),
            ];
            for (i, (text, colour, dashed)) in legend.into_iter().enumerate() {
                let y = 44 + 18 * i as i32;
                let line = vec![(16, y), (46, y)];
                if dashed {
                    root.draw(&DashedPathElement::new(line, 6, 4, colour.stroke_width(2)))
                } else {
                    root.draw(&PathElement::new(line, colour.stroke_width(2)))
                }
                .map_err(|e| fail(&e))?;
                root.draw(&Text::new(
                    text,
                    (54, y),
                    (FONT, 12)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                ))
                .map_err(|e| fail(&e))?;
            }
            Ok(())
        },
    )
}

/// Where an arrow from `from` to `to` ends: short of the node, so the head shows beside it.
fn arrow_tip(from: (i32, i32), to: (i32, i32)) -> (i32, i32) {
    let (dx, dy) = (f64::from(to.0 - from.0), f64::from(to.1 - from.1));
    let length = dx.hypot(dy).max(1.0);
    let back = 14.0 / length;
    (
        (f64::from(to.0) - dx * back) as i32,
        (f64::from(to.1) - dy * back) as i32,
    )
}

/// The two wings of the arrow head at [`arrow_tip`].
fn arrow_head(from: (i32, i32), to: (i32, i32)) -> [(i32, i32); 2] {
    let tip = arrow_tip(from, to);
    let angle = f64::from(to.1 - from.1).atan2(f64::from(to.0 - from.0));
    [PI * 0.85, -PI * 0.85].map(|turn| {
        (
            (f64::from(tip.0) + 9.0 * (angle + turn).cos()) as i32,
            (f64::from(tip.1) + 9.0 * (angle + turn).sin()) as i32,
        )
    })
}

/// Change sets per month (bars, top) and mean files per change set (line, bottom).
pub fn activity_chart(months: &[(String, u64, f64)], window: &str) -> Result<String, ChartError> {
    let fail = failed("activity");
    let n = months.len().max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 640)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        let (top, bottom) = root.split_vertically(330);
        let labels: Vec<String> = months.iter().map(|m| m.0.clone()).collect();
        let max_sets = months.iter().map(|m| m.1).max().unwrap_or(1).max(1) as f64;
        let caption = format!("Change sets per month, {window}");
        let mut chart = period_panel(&top, &caption, &labels, max_sets, "change sets", 18)?;
        chart
            .draw_series(months.iter().enumerate().map(|(i, m)| {
                Rectangle::new(
                    [(i as f64 - 0.4, 0.0), (i as f64 + 0.4, m.1 as f64)],
                    RGBColor(31, 119, 180).filled(),
                )
            }))
            .map_err(|e| fail(&e))?;
        let max_mean = months.iter().map(|m| m.2).fold(1.0, f64::max);
        let mut chart = period_panel(
            &bottom,
            "Mean files per change set",
            &labels,
            max_mean,
            "files per change set",
            18,
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
        let _ = n;
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(svg)
}

/// A chart over periods 0..n on x, whose ticks fall where a year starts (or evenly, for a short
/// history), and 0 to 110 % of `y_max` on y.
type Panel<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The ticks of a period axis: where a year starts (its first period), thinned to at most 12, or
/// six even steps when the history spans less than three years. Labels are `YYYY-…` periods.
fn period_ticks(labels: &[String]) -> Vec<f64> {
    let mut starts = Vec::new();
    let mut year: Option<&str> = None;
    for (i, label) in labels.iter().enumerate() {
        let this = label.get(..4);
        if this != year {
            starts.push(i as f64);
            year = this;
        }
    }
    if starts.len() >= 3 {
        // The history's first period is a year's start only by chance: drop it when the next
        // year starts too close to leave room for both labels.
        let gap = labels.len() as f64 / 16.0;
        if starts.len() > 1 && starts[1] - starts[0] < gap {
            starts.remove(0);
        }
        let every = starts.len().div_ceil(12);
        return starts.into_iter().step_by(every.max(1)).collect();
    }
    let every = labels.len().div_ceil(6).max(1);
    (0..labels.len()).step_by(every).map(|i| i as f64).collect()
}

fn period_panel<'a, 'b>(
    area: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    caption: &str,
    labels: &[String],
    y_max: f64,
    y_desc: &str,
    caption_size: u32,
) -> Result<Panel<'a, 'b>, ChartError> {
    let fail = failed("period");
    let n = labels.len().max(1);
    let ticks = period_ticks(labels);
    let years: std::collections::BTreeSet<&str> =
        labels.iter().filter_map(|l| l.get(..4)).collect();
    // With three years or more the ticks stand on years (see `period_ticks`).
    let by_year = years.len() >= 3;
    let mut chart = ChartBuilder::on(area)
        .caption(caption, (FONT, caption_size))
        .margin(12)
        .x_label_area_size(30)
        .y_label_area_size(60)
        .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..y_max * 1.1)
        .map_err(|e| fail(&e))?;
    chart
        .configure_mesh()
        .x_labels(0)
        .y_desc(y_desc)
        .y_labels(5)
        .y_label_formatter(&|y: &f64| number(*y))
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 12))
        .disable_x_mesh()
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(|e| fail(&e))?;
    // The x ticks by hand, where plotters would pick round numbers instead of years.
    let (base_x, base_y) = area.get_base_pixel();
    let label = (FONT, 12)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Top));
    for tick in ticks {
        let Some(text) = labels.get(tick as usize) else {
            continue;
        };
        // A year's first period reads as the year; otherwise the period itself.
        let text = if by_year && text.len() > 4 {
            text[..4].to_owned()
        } else {
            text.clone()
        };
        let (x, y) = chart.backend_coord(&(tick, 0.0));
        let (x, y) = (x - base_x, y - base_y);
        area.draw(&PathElement::new(vec![(x, y), (x, y + 5)], BLACK))
            .map_err(|e| fail(&e))?;
        area.draw(&Text::new(text, (x, y + 8), label.clone()))
            .map_err(|e| fail(&e))?;
    }
    Ok(chart)
}

/// The main developer's share of each folder's added lines: `(folder, developer, share)`.
pub fn ownership_chart(
    folders: &[(String, String, f64)],
    window: &str,
) -> Result<String, ChartError> {
    let rows: Vec<(String, f64, String)> = folders
        .iter()
        .map(|(folder, developer, share)| {
            (
                folder.clone(),
                *share,
                format!("{:.0} % {}", share * 100.0, short(developer, 30)),
            )
        })
        .collect();
    share_bars(
        "ownership",
        &format!("Main developer's share of added lines per folder, {window}"),
        &rows,
        "share of the folder's added lines (%)",
        RGBColor(44, 160, 44),
    )
}

/// Knowledge loss per component: `(component, loss, bus factor)`.
pub fn knowledge_chart(
    components: &[(String, f64, u64)],
    as_of: &str,
) -> Result<String, ChartError> {
    let rows: Vec<(String, f64, String)> = components
        .iter()
        .map(|(component, loss, bus)| {
            (
                component.clone(),
                *loss,
                format!("{:.0} % lost, bus factor {bus}", loss * 100.0),
            )
        })
        .collect();
    share_bars(
        "knowledge",
        &format!("Knowledge loss per component as of {as_of}"),
        &rows,
        "share of its lines last written by people no longer active (%)",
        // A loss is a warning, not an achievement: red, not the green of ownership.
        RGBColor(214, 39, 40),
    )
}

/// Horizontal bars of shares from 0 to 1, one row each: `(label, share, note)`, the note after
/// the bar.
fn share_bars(
    chart: &'static str,
    title: &str,
    rows: &[(String, f64, String)],
    axis: &str,
    colour: RGBColor,
) -> Result<String, ChartError> {
    let fail = failed(chart);
    let row = 24;
    let height = 90 + row * rows.len().max(1) as i32 + 50;
    let (left, bar_width) = (260, 480);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        root.draw(&Text::new(
            title.to_owned(),
            (16, 12),
            (FONT, 20).into_font().color(&BLACK),
        ))
        .map_err(|e| fail(&e))?;
        let label = (FONT, 12).into_font().color(&BLACK);
        let top = 60;
        for (i, (name, share, note)) in rows.iter().enumerate() {
            let y = top + row * i as i32;
            root.draw(&Text::new(
                short(name, 36),
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
                colour.filled(),
            ))
            .map_err(|e| fail(&e))?;
            root.draw(&Text::new(
                note.clone(),
                (left + bar_width + 8, y + row / 2),
                label.clone().pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(|e| fail(&e))?;
        }
        let axis_y = top + row * rows.len() as i32 + 8;
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
            axis.to_owned(),
            (left + bar_width / 2, axis_y + 20),
            label.pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(|e| fail(&e))?;
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(svg)
}

/// Code age: the lines of today's code by the year they were written, one bar per year
/// (`years` in order, `(year, lines)`).
pub fn code_age_chart(years: &[(String, u64)], as_of: &str) -> Result<String, ChartError> {
    let fail = failed("code age");
    let height = 420u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        let most = years.iter().map(|y| y.1).max().unwrap_or(1).max(1);
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("Code age: lines at {as_of} by the year they were written"),
                (FONT, 20),
            )
            .margin(16)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(
                (0..years.len().max(1)).into_segmented(),
                0..most + most / 10 + 1,
            )
            .map_err(|e| fail(&e))?;
        let names: Vec<&str> = years.iter().map(|y| y.0.as_str()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(years.len().clamp(1, 30))
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) => {
                    names.get(*i).map_or(String::new(), |n| (*n).to_owned())
                }
                _ => String::new(),
            })
            .y_desc("non-blank lines")
            .x_desc("year the line was last written")
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .draw()
            .map_err(|e| fail(&e))?;
        chart
            .draw_series(years.iter().enumerate().map(|(i, (_, lines))| {
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), 0),
                        (SegmentValue::Exact(i + 1), *lines),
                    ],
                    RGBColor(31, 119, 180).filled(),
                );
                bar.set_margin(0, 0, 3, 3);
                bar
            }))
            .map_err(|e| fail(&e))?;
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(svg)
}

/// One line chart per series, two to a row under `title`: `(name, unit, values)` over `labels`, with the mean
/// of the last three periods as a thicker line. When `partial_last`, the last period (which had
/// not ended) is drawn as a hollow point joined by a dotted line, so that its lower counts do not
/// read as a drop.
pub fn trend_chart(
    labels: &[String],
    series: &[(String, String, Vec<f64>)],
    title: &str,
    partial_last: bool,
) -> Result<String, ChartError> {
    let fail = failed("trends");
    let rows = series.len().div_ceil(2).max(1);
    let height = 70 + 280 * rows as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        root.draw(&Text::new(
            title.to_owned(),
            (16, 12),
            (FONT, 20).into_font().color(&BLACK),
        ))
        .map_err(|e| fail(&e))?;
        root.draw(&Text::new(
            if partial_last {
                "thin: each period; thick: mean of the last 3; hollow point: the period not yet over"
            } else {
                "thin: each period; thick: mean of the last 3"
            },
            (16, 40),
            (FONT, 13).into_font().color(&BLACK.mix(0.7)),
        ))
        .map_err(|e| fail(&e))?;
        let body = root.margin(60, 0, 0, 0);
        let panels = body.split_evenly((rows, 2));
        for ((name, unit, values), panel) in series.iter().zip(panels.iter()) {
            let max = values.iter().copied().fold(0.0, f64::max);
            let top = if max > 0.0 { max } else { 1.0 };
            let mut chart = period_panel(panel, &name.replace('_', " "), labels, top, unit, 15)?;
            let whole = if partial_last {
                values.len().saturating_sub(1)
            } else {
                values.len()
            };
            let blue = RGBColor(31, 119, 180);
            chart
                .draw_series(LineSeries::new(
                    values[..whole]
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (i as f64, *v)),
                    blue.mix(0.45).stroke_width(1),
                ))
                .map_err(|e| fail(&e))?;
            let rolling: Vec<(f64, f64)> = (2..whole)
                .map(|i| (i as f64, values[i - 2..=i].iter().sum::<f64>() / 3.0))
                .collect();
            chart
                .draw_series(LineSeries::new(rolling, blue.stroke_width(3)))
                .map_err(|e| fail(&e))?;
            if partial_last
                && let (Some(&last), Some(&before)) =
                    (values.last(), values.get(whole.wrapping_sub(1)))
            {
                let (x1, x0) = (whole as f64, whole as f64 - 1.0);
                chart
                    .draw_series(DashedLineSeries::new(
                        [(x0, before), (x1, last)],
                        3,
                        3,
                        blue.mix(0.6).stroke_width(1),
                    ))
                    .map_err(|e| fail(&e))?;
                chart
                    .draw_series([Circle::new((x1, last), 4, blue.stroke_width(2))])
                    .map_err(|e| fail(&e))?;
            }
        }
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// The value of attribute `name` in the element text `element`.
    fn attribute(element: &str, name: &str) -> Option<f64> {
        let start = element.find(&format!(" {name}=\""))? + name.len() + 3;
        let end = element[start..].find('"')? + start;
        element[start..end].parse().ok()
    }

    /// Every element `<tag …` of the SVG that carries `data-rank`, by rank.
    fn by_rank<'a>(svg: &'a str, tag: &str) -> BTreeMap<u64, &'a str> {
        svg.split(&format!("<{tag} "))
            .skip(1)
            .filter_map(|rest| {
                let element = &rest[..rest.find('>').unwrap_or(rest.len())];
                let element = &rest[..element.len()];
                Some((
                    attribute(&format!(" {element}"), "data-rank")? as u64,
                    element,
                ))
            })
            .collect()
    }

    #[test]
    fn long_paths_are_shortened_at_a_folder_boundary() {
        assert_eq!(short("src/lib.rs", 34), "src/lib.rs");
        assert_eq!(
            short("tokio/src/runtime/scheduler/multi_thread/worker.rs", 34),
            "…/scheduler/multi_thread/worker.rs"
        );
        assert_eq!(
            short("a_very_long_file_name_without_folders.rs", 12),
            "…_folders.rs"
        );
    }

    #[test]
    fn every_label_line_ends_on_its_own_bubble() {
        // A crowd near the top right, as real hotspots are, and the most changed file low down.
        let mut points: Vec<HotspotPoint> = (0..60)
            .map(|i| HotspotPoint {
                name: format!("src/module{i}/file{i}.rs"),
                revisions: 10.0 + f64::from(i % 7),
                complexity: 3000.0 - 40.0 * f64::from(i),
                loc: 100.0 + 50.0 * f64::from(i % 11),
            })
            .collect();
        points.push(HotspotPoint {
            name: "src/busy.rs".into(),
            revisions: 40.0,
            complexity: 10.0,
            loc: 30.0,
        });
        let svg = hotspot_chart(&points, 10, "window", &FILE_HOTSPOTS).expect("drawn");
        let circles = by_rank(&svg, "circle");
        let lines = by_rank(&svg, "line");
        let texts = by_rank(&svg, "text");
        assert_eq!(circles.len(), points.len(), "one bubble per point");
        assert_eq!(lines.len(), 11, "the top 10 and the most changed file");
        assert!(lines.contains_key(&61), "the most changed file is labelled");
        for (rank, line) in &lines {
            let circle = circles[rank];
            let (cx, cy, r) = (
                attribute(&format!(" {circle}"), "cx").expect("cx"),
                attribute(&format!(" {circle}"), "cy").expect("cy"),
                attribute(&format!(" {circle}"), "r").expect("r"),
            );
            let (x1, y1) = (
                attribute(&format!(" {line}"), "x1").expect("x1"),
                attribute(&format!(" {line}"), "y1").expect("y1"),
            );
            let distance = ((x1 - cx).powi(2) + (y1 - cy).powi(2)).sqrt();
            assert!(
                (distance - r).abs() < 1.5,
                "label {rank}: its line starts {distance:.1} from its bubble's centre, radius {r:.1}"
            );
            let label_x = attribute(&format!(" {}", texts[rank]), "x").expect("x");
            assert!(
                label_x > 640.0,
                "label {rank} is beside the plot, not on it"
            );
        }
        // Labels do not overlap each other.
        let mut ys: Vec<f64> = texts
            .values()
            .filter_map(|t| attribute(&format!(" {t}"), "y"))
            .collect();
        ys.sort_by(f64::total_cmp);
        assert!(ys.windows(2).all(|w| w[1] - w[0] >= 16.0), "{ys:?}");
    }
}
