//! The hotspot map: folders as nested circles, files as circles sized by lines of code and coloured
//! by how often they changed (or by who owns them). Written as SVG by hand rather than with
//! plotters, because every circle carries a `<title>` (what a pointer over it shows) and plotters
//! has no element for that. The page reads without script.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

/// One file of the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapFile {
    /// Path, `/`-separated.
    pub path: String,
    /// Non-blank lines: the circle's area.
    pub loc: u64,
    /// Change sets in the window: the colour.
    pub revisions: u64,
    /// Main developer (who last wrote most of its lines) and whether most of its lines were
    /// written by people no longer active (its knowledge is lost).
    pub owner: Option<(String, bool)>,
}

/// How the files are coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colouring {
    /// By revisions in the window, from pale to dark red.
    Revisions,
    /// By main developer (the eight with most files get colours); files whose lines are mostly
    /// by people no longer active in black.
    Owner,
}

/// A circle during packing.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Circle {
    x: f64,
    y: f64,
    r: f64,
}

impl Circle {
    fn overlaps(&self, other: &Circle) -> bool {
        let (dx, dy) = (self.x - other.x, self.y - other.y);
        let gap = self.r + other.r - 1e-6;
        gap > 0.0 && dx * dx + dy * dy < gap * gap
    }
}

/// Places `c` tangent to `a` and `b`, on the left of the way from `a` to `b`.
fn place_beside(a: &Circle, b: &Circle, r: f64) -> Circle {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let d2 = dx * dx + dy * dy;
    let (ra, rb) = (a.r + r, b.r + r);
    if d2 <= 0.0 {
        return Circle {
            x: a.x + ra,
            y: a.y,
            r,
        };
    }
    let d = d2.sqrt();
    // Distance from `a` along the line to the foot of the new centre, then off the line.
    let along = (d2 + ra * ra - rb * rb) / (2.0 * d);
    let off = (ra * ra - along * along).max(0.0).sqrt();
    let (ux, uy) = (dx / d, dy / d);
    Circle {
        x: a.x + ux * along - uy * off,
        y: a.y + uy * along + ux * off,
        r,
    }
}

/// Packs circles of radii `radii` around the origin without overlap (a front-chain packing:
/// each new circle goes against two neighbours of the chain around the packed ones, the pair
/// nearest the centre; circles of the chain it would overlap leave the chain and it tries again
/// against the one it hit). Returns the circles, in the order of `radii`.
fn pack(radii: &[f64]) -> Vec<Circle> {
    let mut circles: Vec<Circle> = Vec::with_capacity(radii.len());
    match radii {
        [] => return circles,
        [r] => {
            circles.push(Circle {
                x: 0.0,
                y: 0.0,
                r: *r,
            });
            return circles;
        }
        _ => {}
    }
    circles.push(Circle {
        x: -radii[1],
        y: 0.0,
        r: radii[0],
    });
    circles.push(Circle {
        x: radii[0],
        y: 0.0,
        r: radii[1],
    });
    if radii.len() == 2 {
        return circles;
    }
    circles.push(place_beside(&circles[1], &circles[0], radii[2]));
    // The front chain: indices into `circles`, in order around the packing. It is kept rotated
    // so that the pair being tried is at positions 0 and 1.
    let mut chain: Vec<usize> = vec![0, 1, 2];
    for (i, &r) in radii.iter().enumerate().skip(3) {
        let start = nearest_pair(&circles, &chain, r);
        chain.rotate_left(start);
        loop {
            let candidate = place_beside(&circles[chain[0]], &circles[chain[1]], r);
            let n = chain.len();
            // Walk out from both sides of the pair at once; the first circle overlapped wins.
            let mut hit = None;
            let (mut forward, mut backward) = (2, n - 1);
            while forward <= backward {
                if circles[chain[forward]].overlaps(&candidate) {
                    hit = Some((forward, true));
                    break;
                }
                if circles[chain[backward]].overlaps(&candidate) {
                    hit = Some((backward, false));
                    break;
                }
                forward += 1;
                backward -= 1;
            }
            match hit {
                None => {
                    circles.push(candidate);
                    chain.insert(1, i);
                    break;
                }
                // On the side of the pair's second circle: the pair becomes (first, hit).
                Some((j, true)) => {
                    chain.drain(1..j);
                }
                // On the side of the first: the pair becomes (hit, second).
                Some((j, false)) => {
                    chain.truncate(j + 1);
                    chain.remove(0);
                    chain.rotate_right(1);
                }
            }
        }
    }
    circles
}

/// The chain position `a` whose pair `(a, a + 1)` would hold a circle of radius `r` nearest the
/// origin.
fn nearest_pair(circles: &[Circle], chain: &[usize], r: f64) -> usize {
    let mut best = (0, f64::INFINITY);
    for k in 0..chain.len() {
        let c = place_beside(
            &circles[chain[k]],
            &circles[chain[(k + 1) % chain.len()]],
            r,
        );
        let d = c.x * c.x + c.y * c.y;
        if d < best.1 {
            best = (k, d);
        }
    }
    best.0
}

/// A circle around all of `circles` (not always the smallest one, but close to it).
fn enclose(circles: &[Circle]) -> Circle {
    if circles.is_empty() {
        return Circle {
            x: 0.0,
            y: 0.0,
            r: 0.0,
        };
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for c in circles {
        x0 = x0.min(c.x - c.r);
        y0 = y0.min(c.y - c.r);
        x1 = x1.max(c.x + c.r);
        y1 = y1.max(c.y + c.r);
    }
    let (cx, cy) = (f64::midpoint(x0, x1), f64::midpoint(y0, y1));
    let r = circles
        .iter()
        .map(|c| ((c.x - cx).powi(2) + (c.y - cy).powi(2)).sqrt() + c.r)
        .fold(0.0, f64::max);
    Circle { x: cx, y: cy, r }
}

/// A folder or a file of the tree being packed.
#[derive(Debug, Default)]
struct Node {
    name: String,
    file: Option<usize>,
    children: BTreeMap<String, Node>,
    circle: Option<Circle>,
}

/// Packs `node`'s children (recursively), its circle relative to its own centre.
fn pack_node(node: &mut Node, radius_of: &dyn Fn(usize) -> f64) -> f64 {
    if let Some(file) = node.file {
        let r = radius_of(file);
        node.circle = Some(Circle { x: 0.0, y: 0.0, r });
        return r;
    }
    let mut children: Vec<&mut Node> = node.children.values_mut().collect();
    let radii: Vec<f64> = children
        .iter_mut()
        .map(|child| pack_node(child, radius_of))
        .collect();
    // Largest first packs tightest; ties by name keep the layout stable.
    let mut order: Vec<usize> = (0..radii.len()).collect();
    order.sort_by(|&a, &b| radii[b].total_cmp(&radii[a]).then(a.cmp(&b)));
    let sorted: Vec<f64> = order.iter().map(|&i| radii[i]).collect();
    let mut placed = pack(&sorted);
    let outer = enclose(&placed);
    // Children relative to the folder's centre, with a margin inside the folder's ring.
    let padding = 2.0;
    for (slot, &i) in order.iter().enumerate() {
        let c = &mut placed[slot];
        c.x -= outer.x;
        c.y -= outer.y;
        let r = c.r;
        children[i].circle = Some(Circle { x: c.x, y: c.y, r });
    }
    let r = outer.r + padding;
    node.circle = Some(Circle { x: 0.0, y: 0.0, r });
    r
}

/// Absolute circles of every node, depth first: `(depth, node, circle)`.
fn absolute<'a>(
    node: &'a Node,
    at: (f64, f64),
    scale: f64,
    depth: usize,
    out: &mut Vec<(usize, &'a Node, Circle)>,
) {
    let c = node.circle.unwrap_or(Circle {
        x: 0.0,
        y: 0.0,
        r: 0.0,
    });
    let here = Circle {
        x: at.0 + c.x * scale,
        y: at.1 + c.y * scale,
        r: c.r * scale,
    };
    out.push((depth, node, here));
    for child in node.children.values() {
        absolute(child, (here.x, here.y), scale, depth + 1, out);
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Eight colours that tell owners apart (and print in greyscale as distinct shades).
const OWNER_COLOURS: [&str; 8] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
];

/// From pale yellow through orange to dark red, `t` in [0, 1].
fn heat(share: f64) -> String {
    let stops = [
        (255.0, 237.0, 160.0),
        (253.0, 141.0, 60.0),
        (189.0, 0.0, 38.0),
    ];
    let position = share.clamp(0.0, 1.0) * 2.0;
    let (stop, within) = if position >= 2.0 {
        (1, 1.0)
    } else {
        (position as usize, position.fract())
    };
    let (from, to) = (stops[stop], stops[stop + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * within).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(from.0, to.0),
        mix(from.1, to.1),
        mix(from.2, to.2)
    )
}

/// The map's size, and the room for its title and for its legend, in pixels.
const SIZE: f64 = 960.0;
const TOP: f64 = 48.0;
const LEGEND: f64 = 70.0;

/// The map as SVG: `title` on top, a legend at the bottom, the `labelled` largest files that
/// changed named inside their circles.
pub fn hotspot_map(
    files: &[MapFile],
    colouring: Colouring,
    labelled: usize,
    title: &str,
) -> String {
    let root = layout(files);
    let circles = fitted(&root, SIZE - TOP - LEGEND);
    let palette = Palette::new(files, colouring);
    let named = files_to_name(files, labelled);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}" font-family="sans-serif">"#
    );
    let _ = write!(
        svg,
        r##"<rect width="100%" height="100%" fill="#ffffff"/><text x="16" y="30" font-size="20" fill="#000000">{}</text>"##,
        escape(title)
    );
    draw_circles(&mut svg, &circles, files, &palette);
    draw_names(&mut svg, &circles, &map_labels(files, &named));
    legend(&mut svg, &palette, SIZE - LEGEND + 16.0);
    svg.push_str("</svg>\n");
    svg
}

/// The circles of the packed tree scaled so that the folders inside the outermost one fill a
/// square of `area` pixels below the title (the outermost circle itself is not drawn, and
/// fitting it would leave its empty rim on the page).
fn fitted(root: &Node, area: f64) -> Vec<(usize, &Node, Circle)> {
    let mut unit = Vec::new();
    absolute(root, (0.0, 0.0), 1.0, 0, &mut unit);
    let drawn = unit.iter().filter(|(depth, _, _)| *depth > 0);
    let (mut left, mut top, mut right, mut bottom) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (_, _, c) in drawn {
        left = left.min(c.x - c.r);
        top = top.min(c.y - c.r);
        right = right.max(c.x + c.r);
        bottom = bottom.max(c.y + c.r);
    }
    let span = (right - left).max(bottom - top);
    if !span.is_finite() || span <= 0.0 {
        return unit;
    }
    let scale = area / span;
    let centre = (
        SIZE / 2.0 - f64::midpoint(left, right) * scale,
        TOP + area / 2.0 - f64::midpoint(top, bottom) * scale,
    );
    let mut circles = Vec::new();
    absolute(root, centre, scale, 0, &mut circles);
    circles
}

/// The files named on the map: the `labelled` largest that changed, and the `labelled / 2` most
/// changed (the ones a reader looks for first), each once.
fn files_to_name(files: &[MapFile], labelled: usize) -> HashSet<usize> {
    let mut changed: Vec<usize> = (0..files.len())
        .filter(|&i| files[i].revisions > 0)
        .collect();
    changed.sort_by(|&a, &b| {
        files[b]
            .loc
            .cmp(&files[a].loc)
            .then(files[a].path.cmp(&files[b].path))
    });
    let mut named: HashSet<usize> = changed.iter().copied().take(labelled).collect();
    changed.sort_by(|&a, &b| {
        files[b]
            .revisions
            .cmp(&files[a].revisions)
            .then(files[a].path.cmp(&files[b].path))
    });
    named.extend(changed.into_iter().take(labelled / 2));
    named
}

/// What a named file is called on the map: its file name, or with its folder when another
/// named file has the same file name (`rt/mod.rs` and `io/mod.rs`).
fn map_labels(files: &[MapFile], named: &HashSet<usize>) -> BTreeMap<usize, String> {
    let base = |path: &str| path.rsplit('/').next().unwrap_or(path).to_owned();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for &i in named {
        *seen.entry(base(&files[i].path)).or_default() += 1;
    }
    named
        .iter()
        .map(|&i| {
            let path = &files[i].path;
            let name = base(path);
            let label = if seen[&name] > 1 {
                let mut parts = path.rsplit('/');
                let (file, folder) = (parts.next(), parts.next());
                folder.map_or(name.clone(), |d| {
                    format!("{d}/{}", file.unwrap_or_default())
                })
            } else {
                name
            };
            (i, label)
        })
        .collect()
}

/// `1 revision`, `2 revisions`.
fn revisions_text(n: u64) -> String {
    if n == 1 {
        "1 revision".to_owned()
    } else {
        format!("{n} revisions")
    }
}

/// The folder tree of `files`, packed.
fn layout(files: &[MapFile]) -> Node {
    let mut root = Node::default();
    for (i, file) in files.iter().enumerate() {
        let mut node = &mut root;
        let parts: Vec<&str> = file.path.split('/').collect();
        for (depth, part) in parts.iter().enumerate() {
            node = node
                .children
                .entry((*part).to_owned())
                .or_insert_with(|| Node {
                    name: parts[..=depth].join("/"),
                    ..Node::default()
                });
        }
        node.file = Some(i);
    }
    let radius_of = |i: usize| (files[i].loc.max(1) as f64).sqrt();
    pack_node(&mut root, &radius_of);
    root
}

/// How files are filled.
struct Palette<'a> {
    colouring: Colouring,
    max_revisions: u64,
    /// Owners with most files first, and the colour of the first ones.
    owners: Vec<(&'a str, usize)>,
    colours: BTreeMap<&'a str, &'static str>,
}

impl<'a> Palette<'a> {
    fn new(files: &'a [MapFile], colouring: Colouring) -> Self {
        let max_revisions = files.iter().map(|f| f.revisions).max().unwrap_or(0).max(1);
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for f in files {
            if let Some((name, false)) = &f.owner {
                *counts.entry(name.as_str()).or_default() += 1;
            }
        }
        let mut owners: Vec<(&str, usize)> = counts.into_iter().collect();
        owners.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let colours = owners
            .iter()
            .take(OWNER_COLOURS.len())
            .zip(OWNER_COLOURS)
            .map(|((name, _), colour)| (*name, colour))
            .collect();
        Palette {
            colouring,
            max_revisions,
            owners,
            colours,
        }
    }

    fn fill(&self, f: &MapFile) -> String {
        match self.colouring {
            Colouring::Revisions if f.revisions == 0 => "#e6e6e6".to_owned(),
            Colouring::Revisions => {
                heat((f.revisions - 1) as f64 / (self.max_revisions.max(2) - 1) as f64)
            }
            Colouring::Owner => match &f.owner {
                None => "#e6e6e6".to_owned(),
                Some((_, true)) => "#222222".to_owned(),
                Some((name, false)) => self
                    .colours
                    .get(name.as_str())
                    .copied()
                    .unwrap_or("#b3b3b3")
                    .to_owned(),
            },
        }
    }
}

/// Folders as outlined circles, files as filled ones, each with its title.
fn draw_circles(
    svg: &mut String,
    circles: &[(usize, &Node, Circle)],
    files: &[MapFile],
    palette: &Palette<'_>,
) {
    for (depth, node, c) in circles {
        match node.file {
            None if *depth == 0 => {}
            None => {
                let _ = write!(
                    svg,
                    r##"<circle cx="{:.1}" cy="{:.1}" r="{:.1}" fill="#4682b4" fill-opacity="0.06" stroke="#4682b4" stroke-opacity="0.5" stroke-width="1"><title>{}/</title></circle>"##,
                    c.x,
                    c.y,
                    c.r,
                    escape(&node.name)
                );
            }
            Some(i) => {
                let f = &files[i];
                let owner = match &f.owner {
                    Some((name, inactive)) => format!(
                        "; main developer {name}{}",
                        if *inactive {
                            " (most lines by inactive people)"
                        } else {
                            ""
                        }
                    ),
                    None => String::new(),
                };
                let _ = write!(
                    svg,
                    r##"<circle cx="{:.1}" cy="{:.1}" r="{:.1}" fill="{}" stroke="#666666" stroke-width="0.3"><title>{}: {} lines, {}{}</title></circle>"##,
                    c.x,
                    c.y,
                    c.r.max(0.5),
                    palette.fill(f),
                    escape(&f.path),
                    f.loc,
                    revisions_text(f.revisions),
                    escape(&owner)
                );
            }
        }
    }
}

/// The space a centred label takes, estimated from its font size (glyphs are about 0.6 em wide).
#[derive(Debug, Clone, Copy)]
pub(crate) struct LabelBox {
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
}

impl LabelBox {
    pub(crate) fn around(x: f64, y: f64, size: f64, text: &str) -> LabelBox {
        let half_width = 0.3 * size * text.chars().count() as f64;
        LabelBox {
            left: x - half_width,
            right: x + half_width,
            top: y - size / 2.0,
            bottom: y + size / 2.0,
        }
    }

    pub(crate) fn overlaps(&self, other: &LabelBox) -> bool {
        self.left < other.right
            && other.left < self.right
            && self.top < other.bottom
            && other.top < self.bottom
    }
}

/// Names of the top-level folders along their rim, then of the named files inside their circles
/// (at least 10 px high, with a white halo so that they read over any colour).
fn draw_names(
    svg: &mut String,
    circles: &[(usize, &Node, Circle)],
    labels: &BTreeMap<usize, String>,
) {
    for (depth, node, c) in circles {
        if *depth == 1 && node.file.is_none() && c.r > 24.0 {
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" font-size="13" text-anchor="middle" fill="#1b4f72" font-weight="bold">{}/</text>"##,
                c.x,
                c.y - c.r + 14.0,
                escape(&node.name)
            );
        }
    }
    // Labels in the order of their files (the strongest first); one that would overlap a label
    // already drawn is left out, the circle's tooltip still naming it.
    let mut named: Vec<(usize, &Circle, &String)> = circles
        .iter()
        .filter_map(|(_, node, c)| {
            let i = node.file?;
            Some((i, c, labels.get(&i)?))
        })
        .collect();
    named.sort_by_key(|(i, _, _)| *i);
    let mut drawn: Vec<LabelBox> = Vec::new();
    for (_, c, label) in named {
        let size = (c.r / 3.5).clamp(10.0, 14.0);
        let area = LabelBox::around(c.x, c.y, size, label);
        if drawn.iter().any(|d| d.overlaps(&area)) {
            continue;
        }
        drawn.push(area);
        {
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" font-size="{size:.0}" text-anchor="middle" dominant-baseline="middle" fill="#000000" stroke="#ffffff" stroke-width="3" paint-order="stroke">{}</text>"##,
                c.x,
                c.y,
                escape(label)
            );
        }
    }
}

fn legend(svg: &mut String, palette: &Palette<'_>, y: f64) {
    let (colouring, owners, max_revisions) =
        (palette.colouring, &palette.owners, palette.max_revisions);
    let palette = &palette.colours;
    let _ = write!(
        svg,
        r##"<text x="16" y="{y:.0}" font-size="12" fill="#000000">Circle area: lines of code. Folders are the outlined circles around their files; point at a circle for its name.</text>"##
    );
    let y = y + 24.0;
    match colouring {
        Colouring::Revisions => {
            let _ = write!(
                svg,
                r##"<text x="16" y="{:.0}" font-size="12" fill="#000000">Revisions in the window:</text>"##,
                y + 4.0
            );
            for step in 0..=4 {
                let t = f64::from(step) / 4.0;
                let shown = 1.0 + t * (max_revisions as f64 - 1.0);
                let x = 170.0 + f64::from(step) * 70.0;
                let _ = write!(
                    svg,
                    r##"<circle cx="{x:.0}" cy="{y:.0}" r="8" fill="{}" stroke="#666666" stroke-width="0.3"/><text x="{:.0}" y="{:.0}" font-size="12" fill="#000000">{}</text>"##,
                    heat(t),
                    x + 12.0,
                    y + 4.0,
                    shown.round()
                );
            }
            let _ = write!(
                svg,
                r##"<circle cx="540" cy="{y:.0}" r="8" fill="#e6e6e6" stroke="#666666" stroke-width="0.3"/><text x="552" y="{:.0}" font-size="12" fill="#000000">unchanged</text>"##,
                y + 4.0
            );
        }
        Colouring::Owner => {
            let mut items: Vec<(String, &str)> = owners
                .iter()
                .take(OWNER_COLOURS.len())
                .map(|(name, _)| {
                    let colour = palette.get(name).copied().unwrap_or("#b3b3b3");
                    (name.chars().take(16).collect(), colour)
                })
                .collect();
            items.push(("most lines by inactive people".into(), "#222222"));
            items.push(("others".into(), "#b3b3b3"));
            // Items that would cross the right edge start a second line.
            let (mut x, mut y) = (16.0, y);
            for (text, colour) in items {
                let width = 24.0 + 6.5 * text.chars().count() as f64;
                if x + width > SIZE - 8.0 && x > 16.0 {
                    (x, y) = (16.0, y + 20.0);
                }
                let _ = write!(
                    svg,
                    r##"<circle cx="{:.0}" cy="{y:.0}" r="7" fill="{colour}"/><text x="{:.0}" y="{:.0}" font-size="11" fill="#000000">{}</text>"##,
                    x + 7.0,
                    x + 18.0,
                    y + 4.0,
                    escape(&text)
                );
                x += width;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic sequence for radii.
    fn radii(n: usize, seed: u64) -> Vec<f64> {
        let mut state = seed;
        (0..n)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                1.0 + (state >> 33) as f64 / f64::from(u32::MAX) * 30.0
            })
            .collect()
    }

    #[test]
    fn packed_circles_never_overlap() {
        for (n, seed) in [(1, 1), (2, 2), (3, 3), (10, 4), (60, 5), (300, 6)] {
            let mut r = radii(n, seed);
            r.sort_by(|a, b| b.total_cmp(a));
            let circles = pack(&r);
            assert_eq!(circles.len(), n);
            for (i, a) in circles.iter().enumerate() {
                assert!((a.r - r[i]).abs() < 1e-9);
                for b in &circles[i + 1..] {
                    assert!(!a.overlaps(b), "{n} circles: {a:?} overlaps {b:?}");
                }
            }
            let outer = enclose(&circles);
            for c in &circles {
                let d = ((c.x - outer.x).powi(2) + (c.y - outer.y).powi(2)).sqrt();
                assert!(d + c.r <= outer.r + 1e-6, "inside the enclosing circle");
            }
            // Tight enough to read: the circles fill a good part of the enclosing one.
            let filled: f64 = circles.iter().map(|c| c.r * c.r).sum::<f64>() / (outer.r * outer.r);
            if n >= 10 {
                assert!(
                    filled > 0.45,
                    "{n} circles fill {filled:.2} of their enclosure"
                );
            }
        }
    }

    #[test]
    fn labels_of_a_map_of_900_files_never_overlap() {
        // 900 files; the 60 of one folder are of one size and often changed, so that their
        // names, wider than their circles, would run into each other (as tokio's `io/util` did).
        let files: Vec<MapFile> = (0..900)
            .map(|i| MapFile {
                path: if i < 60 {
                    format!("src/io/util/async_write_ext_{i}.rs")
                } else {
                    format!("src/{}/{}/file_{i}.rs", i % 7, i % 3)
                },
                loc: if i < 60 {
                    400
                } else {
                    20 + (i as u64 * 37) % 300
                },
                revisions: if i < 60 { 50 } else { (i as u64 * 13) % 20 },
                owner: None,
            })
            .collect();
        let svg = hotspot_map(&files, Colouring::Revisions, 25, "map");
        let boxes: Vec<LabelBox> = svg
            .split("<text ")
            .skip(1)
            .filter(|t| t.contains("paint-order=\"stroke\">"))
            .map(|t| {
                let attr = |name: &str| -> f64 {
                    format!(" {t}")
                        .split(&format!(" {name}=\""))
                        .nth(1)
                        .and_then(|v| v.split('"').next())
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(f64::NAN)
                };
                let text = t.split('>').nth(1).and_then(|v| v.split('<').next());
                LabelBox::around(
                    attr("x"),
                    attr("y"),
                    attr("font-size"),
                    text.unwrap_or_default(),
                )
            })
            .collect();
        assert!(boxes.len() >= 5, "{} labels drawn", boxes.len());
        assert!(
            boxes
                .iter()
                .all(|b| b.left.is_finite() && b.top.is_finite())
        );
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} overlaps {b:?}");
            }
        }
    }

    #[test]
    fn every_file_is_a_circle_with_a_title_inside_its_folder() {
        let files: Vec<MapFile> = (0..40)
            .map(|i| MapFile {
                path: format!("{}/f{i}.rs", ["src", "src/net", "tests", "docs"][i % 4]),
                loc: 10 + 7 * i as u64,
                revisions: (i % 5) as u64,
                owner: Some((format!("dev{}", i % 3), i % 7 == 0)),
            })
            .collect();
        for colouring in [Colouring::Revisions, Colouring::Owner] {
            let svg = hotspot_map(&files, colouring, 5, "map");
            assert_eq!(svg.matches("lines, ").count(), 40, "a title per file");
            assert!(svg.contains("<title>src/net/</title>"));
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
        }
    }

    #[test]
    fn the_most_changed_files_are_named_and_same_names_get_their_folder() {
        let file = |path: &str, loc: u64, revisions: u64| MapFile {
            path: path.to_owned(),
            loc,
            revisions,
            owner: None,
        };
        // Three large files take the `labelled` places by size; the small `rt/mod.rs` changed
        // most and is named too; `io/mod.rs` shares its file name, so both show their folder.
        let files = vec![
            file("src/big.rs", 3000, 1),
            file("src/io/mod.rs", 2000, 2),
            file("src/large.rs", 1500, 1),
            file("src/rt/mod.rs", 40, 90),
            file("src/small.rs", 30, 3),
            file("src/quiet.rs", 5000, 0),
        ];
        let svg = hotspot_map(&files, Colouring::Revisions, 3, "map");
        let named: Vec<&str> = svg
            .split("paint-order=\"stroke\">")
            .skip(1)
            .filter_map(|t| t.split('<').next())
            .collect();
        let mut sorted = named.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, ["big.rs", "io/mod.rs", "large.rs", "rt/mod.rs"]);
        assert!(svg.contains("src/rt/mod.rs: 40 lines, 90 revisions"));
        assert!(svg.contains("src/big.rs: 3000 lines, 1 revision<"));
        // The folders fill the square below the title: some circle touches each side.
        let map = svg.split("Circle area:").next().unwrap_or_default();
        let circles: Vec<(f64, f64, f64)> = map
            .split("<circle ")
            .skip(1)
            .map(|c| {
                let attr = |name: &str| -> f64 {
                    c.split(&format!("{name}=\""))
                        .nth(1)
                        .and_then(|v| v.split('"').next())
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(f64::NAN)
                };
                (attr("cx"), attr("cy"), attr("r"))
            })
            .collect();
        let left = circles
            .iter()
            .map(|(x, _, r)| x - r)
            .fold(f64::MAX, f64::min);
        let right = circles
            .iter()
            .map(|(x, _, r)| x + r)
            .fold(f64::MIN, f64::max);
        let top = circles
            .iter()
            .map(|(_, y, r)| y - r)
            .fold(f64::MAX, f64::min);
        let bottom = circles
            .iter()
            .map(|(_, y, r)| y + r)
            .fold(f64::MIN, f64::max);
        let area = SIZE - TOP - LEGEND;
        let span = (right - left).max(bottom - top);
        assert!((span - area).abs() < 1.0, "span {span} of {area}");
        assert!(
            left >= -0.5
                && right <= SIZE + 0.5
                && top >= TOP - 0.5
                && bottom <= SIZE - LEGEND + 0.5
        );
    }
}
