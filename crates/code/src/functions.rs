//! The functions of a file (docs/xray.md): qualified names, line spans and measures, from one
//! tree-sitter parse. The rules are one table per language ([`Spec`]) read by one walker, so the
//! measures mean the same in every language.
//!
//! - **cyclomatic** (McCabe): 1, plus 1 for each `if` and `else if`/`elif`, loop, `catch`/`except`/
//!   `rescue`, conditional expression, each `case`/match arm after the first of its switch, and
//!   each `&&`/`||`/`and`/`or` operator.
//! - **cognitive** (after Sonar's cognitive complexity): 1 for each `if`, loop, switch/match, `catch` and
//!   conditional expression, plus its nesting level (how many of these, and closures, it sits
//!   in); 1 for each `else if`/`elif` and each final `else`, without the nesting; 1 for each run of
//!   the same logical operator (`a && b && c` is 1, `a && b || c` 2).
//! - **nesting**: the deepest nesting of `if`, loop, switch/match and `catch` (an `else if` chain
//!   is one level; closures count as a level).
//! - **parameters**: the declared parameters, without a method's `self`, `&self`, `this` or a
//!   Python method's first `self`/`cls`.
//! - **loc**: the non-blank lines of the function's span.
//!
//! A nested named function (a Python `def` inside a `def`, a Rust `fn` inside a `fn`) is a
//! function of its own, named after its container (`outer.inner`), and its lines and measures
//! are its own; closures and lambdas are part of the function around them.

use tree_sitter::Node;

use crate::{Language, ParseError, text};

/// One function or method of a file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Function {
    /// Its name qualified by what contains it (`Worker::run`, `Flask.wsgi_app`,
    /// `server.(*Server).Serve`); a name used twice in a file gets `#2`, `#3` in order.
    pub name: String,
    /// First line (1-based), of its signature (decorators and attributes are not part of it).
    pub start: u32,
    /// Last line, inclusive.
    pub end: u32,
    /// Non-blank lines of the span.
    pub loc: u32,
    /// Cyclomatic complexity: 1 plus the decisions.
    pub cyclomatic: u32,
    /// Cognitive complexity.
    pub cognitive: u32,
    /// Deepest nesting of control structures.
    pub nesting: u32,
    /// Declared parameters.
    pub parameters: u32,
}

/// The name under which a cache keeps [`functions`] by blob id; it changes whenever the rules do.
pub const FUNCTION_FACTS_TABLE: &str = "function-facts-v1";

/// The functions of `source`, in the order they start; a file with syntax errors gives those
/// tree-sitter could place.
pub fn functions(language: Language, source: &[u8]) -> Result<Vec<Function>, ParseError> {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&language.grammar())
        .map_err(|err| ParseError::Grammar(language, err.to_string()))?;
    let tree = parser.parse(source, None).ok_or(ParseError::Unparsable)?;
    let spec = Spec::of(language);
    let mut found = Vec::new();
    let mut scope = Vec::new();
    if language == Language::Go {
        scope.push(go_package(tree.root_node(), source));
    }
    collect(tree.root_node(), source, spec, &mut scope, &mut found);
    found.sort_by_key(|f| (f.start, f.end));
    number_repeats(&mut found);
    Ok(found)
}

/// What a language's tree calls each construct.
struct Spec {
    language: Language,
    /// Named functions and methods.
    functions: &'static [&'static str],
    /// Constructs whose name qualifies the functions inside (classes, impls, modules).
    containers: &'static [&'static str],
    /// `if` and the like.
    ifs: &'static [&'static str],
    /// `else if`/`elif`/`elsif` clauses that hold their own condition.
    elifs: &'static [&'static str],
    /// `else` clauses.
    elses: &'static [&'static str],
    loops: &'static [&'static str],
    switches: &'static [&'static str],
    /// Case labels or match arms (the first of each switch does not count).
    cases: &'static [&'static str],
    catches: &'static [&'static str],
    ternaries: &'static [&'static str],
    /// Binary expressions, whose operator may be a logical one.
    binaries: &'static [&'static str],
    /// Anonymous functions, part of the function around them.
    lambdas: &'static [&'static str],
    /// The parameter list's kind.
    parameter_lists: &'static [&'static str],
    /// The separator of qualified names.
    separator: &'static str,
}

impl Spec {
    fn of(language: Language) -> &'static Spec {
        match language {
            Language::Rust => &RUST,
            Language::Python => &PYTHON,
            Language::TypeScript | Language::Tsx => &JAVASCRIPT,
            Language::Go => &GO,
            Language::Java => &JAVA,
            Language::C => &C,
            Language::Cpp => &CPP,
            Language::CSharp => &CSHARP,
            Language::Ruby => &RUBY,
        }
    }
}

const LOGICAL: &[&str] = &["&&", "||", "and", "or"];

static RUST: Spec = Spec {
    language: Language::Rust,
    functions: &["function_item"],
    containers: &["impl_item", "trait_item", "mod_item"],
    ifs: &["if_expression"],
    elifs: &[],
    elses: &["else_clause"],
    loops: &["for_expression", "while_expression", "loop_expression"],
    switches: &["match_expression"],
    cases: &["match_arm"],
    catches: &[],
    ternaries: &[],
    binaries: &["binary_expression"],
    lambdas: &["closure_expression"],
    parameter_lists: &["parameters"],
    separator: "::",
};

static PYTHON: Spec = Spec {
    language: Language::Python,
    functions: &["function_definition"],
    containers: &["class_definition"],
    ifs: &["if_statement"],
    elifs: &["elif_clause"],
    elses: &["else_clause"],
    loops: &["for_statement", "while_statement"],
    switches: &["match_statement"],
    cases: &["case_clause"],
    catches: &["except_clause"],
    ternaries: &["conditional_expression"],
    binaries: &["boolean_operator"],
    lambdas: &["lambda"],
    parameter_lists: &["parameters"],
    separator: ".",
};

static JAVASCRIPT: Spec = Spec {
    language: Language::Tsx,
    functions: &[
        "function_declaration",
        "generator_function_declaration",
        "method_definition",
    ],
    containers: &["class_declaration", "class", "abstract_class_declaration"],
    ifs: &["if_statement"],
    elifs: &[],
    elses: &["else_clause"],
    loops: &[
        "for_statement",
        "for_in_statement",
        "while_statement",
        "do_statement",
    ],
    switches: &["switch_statement"],
    cases: &["switch_case"],
    catches: &["catch_clause"],
    ternaries: &["ternary_expression"],
    binaries: &["binary_expression"],
    lambdas: &[
        "arrow_function",
        "function_expression",
        "generator_function",
    ],
    parameter_lists: &["formal_parameters"],
    separator: ".",
};

static GO: Spec = Spec {
    language: Language::Go,
    functions: &["function_declaration", "method_declaration"],
    containers: &[],
    ifs: &["if_statement"],
    elifs: &[],
    elses: &[],
    loops: &["for_statement"],
    switches: &[
        "expression_switch_statement",
        "type_switch_statement",
        "select_statement",
    ],
    cases: &["expression_case", "type_case", "communication_case"],
    catches: &[],
    ternaries: &[],
    binaries: &["binary_expression"],
    lambdas: &["func_literal"],
    parameter_lists: &["parameter_list"],
    separator: ".",
};

static JAVA: Spec = Spec {
    language: Language::Java,
    functions: &[
        "method_declaration",
        "constructor_declaration",
        "compact_constructor_declaration",
    ],
    containers: &[
        "class_declaration",
        "interface_declaration",
        "enum_declaration",
        "record_declaration",
    ],
    ifs: &["if_statement"],
    elifs: &[],
    elses: &[],
    loops: &[
        "for_statement",
        "enhanced_for_statement",
        "while_statement",
        "do_statement",
    ],
    switches: &["switch_expression"],
    cases: &["switch_block_statement_group", "switch_rule"],
    catches: &["catch_clause"],
    ternaries: &["ternary_expression"],
    binaries: &["binary_expression"],
    lambdas: &["lambda_expression"],
    parameter_lists: &["formal_parameters"],
    separator: ".",
};

static C: Spec = Spec {
    language: Language::C,
    functions: &["function_definition"],
    containers: &[],
    ifs: &["if_statement"],
    elifs: &[],
    elses: &["else_clause"],
    loops: &["for_statement", "while_statement", "do_statement"],
    switches: &["switch_statement"],
    cases: &["case_statement"],
    catches: &[],
    ternaries: &["conditional_expression"],
    binaries: &["binary_expression"],
    lambdas: &[],
    parameter_lists: &["parameter_list"],
    separator: "::",
};

static CPP: Spec = Spec {
    language: Language::Cpp,
    functions: &["function_definition"],
    containers: &[
        "class_specifier",
        "struct_specifier",
        "namespace_definition",
    ],
    ifs: &["if_statement"],
    elifs: &[],
    elses: &["else_clause"],
    loops: &[
        "for_statement",
        "for_range_loop",
        "while_statement",
        "do_statement",
    ],
    switches: &["switch_statement"],
    cases: &["case_statement"],
    catches: &["catch_clause"],
    ternaries: &["conditional_expression"],
    binaries: &["binary_expression"],
    lambdas: &["lambda_expression"],
    parameter_lists: &["parameter_list"],
    separator: "::",
};

static CSHARP: Spec = Spec {
    language: Language::CSharp,
    functions: &[
        "method_declaration",
        "constructor_declaration",
        "destructor_declaration",
        "local_function_statement",
        "operator_declaration",
    ],
    containers: &[
        "class_declaration",
        "struct_declaration",
        "interface_declaration",
        "record_declaration",
    ],
    ifs: &["if_statement"],
    elifs: &[],
    elses: &[],
    loops: &[
        "for_statement",
        "foreach_statement",
        "while_statement",
        "do_statement",
    ],
    switches: &["switch_statement", "switch_expression"],
    cases: &["switch_section", "switch_expression_arm"],
    catches: &["catch_clause"],
    ternaries: &["conditional_expression"],
    binaries: &["binary_expression"],
    lambdas: &["lambda_expression", "anonymous_method_expression"],
    parameter_lists: &["parameter_list"],
    separator: ".",
};

static RUBY: Spec = Spec {
    language: Language::Ruby,
    functions: &["method", "singleton_method"],
    containers: &["class", "module", "singleton_class"],
    ifs: &["if", "unless", "if_modifier", "unless_modifier"],
    elifs: &["elsif"],
    elses: &["else"],
    loops: &["while", "until", "for", "while_modifier", "until_modifier"],
    switches: &["case", "case_match"],
    cases: &["when", "in_clause"],
    catches: &["rescue", "rescue_modifier"],
    ternaries: &["conditional"],
    binaries: &["binary"],
    lambdas: &["lambda", "do_block", "block"],
    parameter_lists: &["method_parameters"],
    separator: "::",
};

/// Walks `node`, collecting the functions under it; `scope` names the containers around.
fn collect(
    node: Node<'_>,
    source: &[u8],
    spec: &Spec,
    scope: &mut Vec<String>,
    found: &mut Vec<Function>,
) {
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        let kind = child.kind();
        if let Some(name) = function_name(child, source, spec) {
            found.push(measure(
                child,
                source,
                spec,
                qualified(scope, &name, spec, child),
            ));
            scope.push(name);
            collect(child, source, spec, scope, found);
            scope.pop();
        } else if spec.containers.contains(&kind) {
            match container_name(child, source, spec) {
                Some(name) => {
                    scope.push(name);
                    collect(child, source, spec, scope, found);
                    scope.pop();
                }
                None => collect(child, source, spec, scope, found),
            }
        } else {
            collect(child, source, spec, scope, found);
        }
    }
}

/// `scope` and `name` joined: `Worker::run`, `Flask.wsgi_app`, `Tool#run` (Ruby instance
/// methods), `pkg.(*T).M` (Go methods carry their receiver in `name`).
fn qualified(scope: &[String], name: &str, spec: &Spec, node: Node<'_>) -> String {
    if scope.is_empty() {
        return name.to_owned();
    }
    let separator = match spec.language {
        Language::Ruby if node.kind() == "method" => "#",
        Language::Ruby => ".",
        _ => spec.separator,
    };
    let prefix = if spec.language == Language::Ruby {
        scope.join("::")
    } else {
        scope.join(spec.separator)
    };
    format!("{prefix}{separator}{name}")
}

/// The name of a function node, or `None` when `node` is not a named function of `spec`
/// (JavaScript functions are named by what they are assigned to).
fn function_name(node: Node<'_>, source: &[u8], spec: &Spec) -> Option<String> {
    let kind = node.kind();
    if spec.lambdas.contains(&kind) && spec.language == Language::Tsx {
        // `const f = () => …` and class fields `f = () => …` are functions named `f`.
        let parent = node.parent()?;
        return match parent.kind() {
            "variable_declarator" | "public_field_definition" | "field_definition" => {
                let name = parent
                    .child_by_field_name("name")
                    .or_else(|| parent.child_by_field_name("property"))?;
                Some(text(name, source).to_owned())
            }
            _ => None,
        };
    }
    if !spec.functions.contains(&kind) {
        return None;
    }
    match spec.language {
        Language::C | Language::Cpp => {
            let declarator = node.child_by_field_name("declarator")?;
            declarator_name(declarator, source)
        }
        Language::Go if kind == "method_declaration" => {
            let name = text(node.child_by_field_name("name")?, source);
            let receiver = node
                .child_by_field_name("receiver")
                .and_then(|r| go_receiver(r, source))
                .unwrap_or_default();
            Some(format!("{receiver}.{name}"))
        }
        _ => node
            .child_by_field_name("name")
            .map(|n| text(n, source).to_owned()),
    }
}

/// The name a C or C++ declarator declares: the identifier inside pointers, references and the
/// function declarator (`A::f` for a qualified one, `~A` for a destructor, `operator==`).
fn declarator_name(node: Node<'_>, source: &[u8]) -> Option<String> {
    match node.kind() {
        "identifier"
        | "field_identifier"
        | "qualified_identifier"
        | "destructor_name"
        | "operator_name" => Some(text(node, source).to_owned()),
        _ => node
            .child_by_field_name("declarator")
            .and_then(|d| declarator_name(d, source)),
    }
}

/// A Go method's receiver as `(*Server)` or `Server`.
fn go_receiver(list: Node<'_>, source: &[u8]) -> Option<String> {
    let mut cursor = list.walk();
    let declaration = list
        .named_children(&mut cursor)
        .find(|c| c.kind() == "parameter_declaration")?;
    let ty = declaration.child_by_field_name("type")?;
    let name = |n: Node<'_>| {
        let t = text(n, source);
        // Generic receivers: `List[T]` names `List`.
        t.split('[').next().unwrap_or(t).to_owned()
    };
    Some(if ty.kind() == "pointer_type" {
        format!("(*{})", name(ty.named_child(0)?))
    } else {
        name(ty)
    })
}

/// A Go file's package name.
fn go_package(root: Node<'_>, source: &[u8]) -> String {
    let mut cursor = root.walk();
    root.named_children(&mut cursor)
        .find(|c| c.kind() == "package_clause")
        .and_then(|c| c.named_child(0))
        .map(|n| text(n, source).to_owned())
        .unwrap_or_default()
}

/// The name a container gives the functions inside: a class's or module's name; a Rust impl's
/// type (without generics), a trait's name.
fn container_name(node: Node<'_>, source: &[u8], spec: &Spec) -> Option<String> {
    if spec.language == Language::Rust && node.kind() == "impl_item" {
        let ty = node.child_by_field_name("type")?;
        let base = match ty.kind() {
            "generic_type" => ty.child_by_field_name("type").unwrap_or(ty),
            _ => ty,
        };
        return Some(text(base, source).to_owned());
    }
    if node.kind() == "singleton_class" {
        return None;
    }
    if spec.language == Language::Rust && node.kind() == "mod_item" {
        // `mod x;` has no body and no functions.
        node.child_by_field_name("body")?;
    }
    node.child_by_field_name("name")
        .map(|n| text(n, source).to_owned())
}

/// Measures the function `node` (its nested named functions excluded).
fn measure(node: Node<'_>, source: &[u8], spec: &Spec, name: String) -> Function {
    let (start, end) = (
        node.start_position().row as u32 + 1,
        node.end_position().row as u32 + 1,
    );
    let body = &source[node.byte_range()];
    let loc = String::from_utf8_lossy(body)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count() as u32;
    let mut counts = Counts {
        cyclomatic: 1,
        ..Counts::default()
    };
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        walk(child, source, spec, 0, &mut counts);
    }
    Function {
        name,
        start,
        end,
        loc,
        cyclomatic: counts.cyclomatic,
        cognitive: counts.cognitive,
        nesting: counts.deepest,
        parameters: parameters(node, source, spec),
    }
}

#[derive(Default)]
struct Counts {
    cyclomatic: u32,
    cognitive: u32,
    deepest: u32,
}

/// Counts what `node` adds at `nesting` (the control structures around it).
fn walk(node: Node<'_>, source: &[u8], spec: &Spec, nesting: u32, counts: &mut Counts) {
    let kind = node.kind();
    if function_name(node, source, spec).is_some() {
        return;
    }
    let is = |kinds: &[&str]| kinds.contains(&kind);
    if is(spec.ifs) {
        let else_if = is_else_if(node, spec);
        counts.cyclomatic += 1;
        counts.cognitive += if else_if { 1 } else { 1 + nesting };
        // An `else if` sits at the level of the `if` it continues (its alternatives are walked
        // at that level), so its body nests as deep as the first branch's.
        let level = nesting + 1;
        counts.deepest = counts.deepest.max(level);
        let alternative = node.child_by_field_name("alternative");
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            let kind = child.kind();
            let clause = spec.elses.contains(&kind) || spec.elifs.contains(&kind);
            let in_field = alternative.is_some_and(|a| a.id() == child.id());
            if in_field && !clause && !spec.ifs.contains(&kind) {
                // A bare `else { … }` block (Go, Java, C#): counted as an `else`, nested.
                counts.cognitive += 1;
                walk(child, source, spec, level, counts);
            } else if in_field || clause {
                // The alternatives are walked at the `if`'s own level.
                walk(child, source, spec, level - 1, counts);
            } else {
                walk(child, source, spec, level, counts);
            }
        }
        return;
    }
    if is(spec.elifs) {
        counts.cyclomatic += 1;
        counts.cognitive += 1;
        return children(node, source, spec, nesting + 1, counts);
    }
    if is(spec.elses) {
        // An `else` that only holds the next `if` is that `else if`, counted there.
        let holds_if = node
            .named_child(0)
            .is_some_and(|c| spec.ifs.contains(&c.kind()) && node.named_child_count() == 1);
        if holds_if {
            return children(node, source, spec, nesting, counts);
        }
        counts.cognitive += 1;
        return children(node, source, spec, nesting + 1, counts);
    }
    if is(spec.loops) || is(spec.catches) {
        counts.cyclomatic += 1;
        counts.cognitive += 1 + nesting;
        counts.deepest = counts.deepest.max(nesting + 1);
        return children(node, source, spec, nesting + 1, counts);
    }
    if is(spec.switches) {
        counts.cognitive += 1 + nesting;
        counts.deepest = counts.deepest.max(nesting + 1);
        return children(node, source, spec, nesting + 1, counts);
    }
    if is(spec.cases) {
        let first = node
            .parent()
            .and_then(|p| {
                let mut cursor = p.walk();
                p.named_children(&mut cursor)
                    .find(|c| spec.cases.contains(&c.kind()))
            })
            .is_some_and(|f| f.id() == node.id());
        if !first {
            counts.cyclomatic += 1;
        }
        return children(node, source, spec, nesting, counts);
    }
    if is(spec.ternaries) {
        counts.cyclomatic += 1;
        counts.cognitive += 1 + nesting;
        return children(node, source, spec, nesting + 1, counts);
    }
    if is(spec.binaries)
        && let Some(operator) = logical_operator(node, source)
    {
        counts.cyclomatic += 1;
        // A run of the same operator counts once: `a && b && c` nests left.
        let continues = node.parent().is_some_and(|p| {
            spec.binaries.contains(&p.kind()) && logical_operator(p, source) == Some(operator)
        });
        if !continues {
            counts.cognitive += 1;
        }
        return children(node, source, spec, nesting, counts);
    }
    if is(spec.lambdas) {
        return children(node, source, spec, nesting + 1, counts);
    }
    children(node, source, spec, nesting, counts);
}

fn children(node: Node<'_>, source: &[u8], spec: &Spec, nesting: u32, counts: &mut Counts) {
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        walk(child, source, spec, nesting, counts);
    }
}

/// Whether the `if` at `node` continues another as its `else if`.
fn is_else_if(node: Node<'_>, spec: &Spec) -> bool {
    let Some(parent) = node.parent() else {
        return false;
    };
    if spec.ifs.contains(&parent.kind()) {
        return parent
            .child_by_field_name("alternative")
            .is_some_and(|a| a.id() == node.id());
    }
    spec.elses.contains(&parent.kind())
        && parent.named_child_count() == 1
        && parent
            .parent()
            .is_some_and(|g| spec.ifs.contains(&g.kind()))
}

/// The logical operator of a binary expression, if it has one.
fn logical_operator(node: Node<'_>, source: &[u8]) -> Option<&'static str> {
    let operator = node.child_by_field_name("operator")?;
    let written = text(operator, source);
    LOGICAL.iter().copied().find(|l| *l == written)
}

/// The declared parameters of the function `node`.
fn parameters(node: Node<'_>, source: &[u8], spec: &Spec) -> u32 {
    let list = node.child_by_field_name("parameters").or_else(|| {
        // C and C++ keep them in the function declarator.
        let mut declarator = node.child_by_field_name("declarator")?;
        while declarator.kind() != "function_declarator" {
            declarator = declarator.child_by_field_name("declarator")?;
        }
        declarator.child_by_field_name("parameters")
    });
    let Some(list) = list.filter(|l| spec.parameter_lists.contains(&l.kind())) else {
        return 0;
    };
    let mut cursor = list.walk();
    let mut count = 0;
    for (i, parameter) in list.named_children(&mut cursor).enumerate() {
        let written = text(parameter, source).trim();
        let skip = match parameter.kind() {
            "comment" | "self_parameter" | "receiver_parameter" => true,
            "identifier" if spec.language == Language::Python => {
                i == 0 && matches!(written, "self" | "cls")
            }
            "parameter_declaration" if spec.language == Language::C => written == "void",
            "parameter_declaration" if spec.language == Language::Go => {
                // `a, b int` declares two.
                let mut inner = parameter.walk();
                let names = parameter.children_by_field_name("name", &mut inner).count();
                count += names.max(1) as u32;
                true
            }
            _ => false,
        };
        if !skip {
            count += 1;
        }
    }
    count
}

/// Names used twice in a file get `#2`, `#3`, … in the order they start, so that each function
/// of a file has a name of its own.
fn number_repeats(found: &mut [Function]) {
    let mut seen: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    for function in found {
        let n = seen.entry(function.name.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            function.name = format!("{}#{n}", function.name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `name cyclomatic cognitive nesting parameters start-end` of each function.
    fn measured(language: Language, source: &str) -> Vec<String> {
        functions(language, source.as_bytes())
            .expect("parses")
            .iter()
            .map(|f| {
                format!(
                    "{} cyc {} cog {} nest {} params {} lines {}-{}",
                    f.name, f.cyclomatic, f.cognitive, f.nesting, f.parameters, f.start, f.end
                )
            })
            .collect()
    }

    #[test]
    fn rust_measures_worked_out_by_hand() {
        let source = r"impl Worker {
    fn run(&mut self, tasks: Vec<Task>, limit: usize) -> usize {
        let mut done = 0;
        for task in tasks {
            if task.ready() && done < limit {
                done += 1;
            } else if task.failed() {
                return done;
            } else {
                continue;
            }
        }
        let f = |x: usize| if x > 0 { x } else { 0 };
        match done {
            0 => 0,
            1 => f(1),
            _ => f(done),
        }
    }
}
fn free() {}
";
        // cyclomatic 1 + for + if + && + else if + the closure's if + 2 arms after the first = 8;
        // cognitive for 1 + if (nested once) 2 + && 1 + else if 1 + else 1 + the closure's if
        // (nested in the closure) 2 + its else 1 + match 1 = 10; nesting: the if in the for = 2;
        // parameters: tasks, limit (not self).
        assert_eq!(
            measured(Language::Rust, source),
            [
                "Worker::run cyc 8 cog 10 nest 2 params 2 lines 2-19",
                "free cyc 1 cog 0 nest 0 params 0 lines 21-21"
            ]
        );
    }

    #[test]
    fn python_measures_worked_out_by_hand() {
        let source = r"class Flask:
    def wsgi_app(self, environ, start_response):
        try:
            if environ and start_response:
                for key in environ:
                    pass
            elif environ:
                pass
            else:
                pass
        except KeyError:
            return [] if environ else None
        def inner(x):
            return x
";
        // cyclomatic 1 + if + and + for + elif + except + conditional = 7; cognitive if 1 + and 1
        // + for (nested once) 2 + elif 1 + else 1 + except 1 + conditional (nested in except) 2
        // = 9; nesting 2 (the for in the if); `try` is no level. `inner` is its own function.
        assert_eq!(
            measured(Language::Python, source),
            [
                "Flask.wsgi_app cyc 7 cog 9 nest 2 params 2 lines 2-14",
                "Flask.wsgi_app.inner cyc 1 cog 0 nest 0 params 1 lines 13-14"
            ]
        );
    }

    #[test]
    fn javascript_measures_worked_out_by_hand() {
        let source = r"class Cart {
  total(items, discount = 0) {
    let sum = 0;
    for (const item of items) {
      sum += item.price > 100 ? item.price * 0.9 : item.price;
    }
    switch (discount) {
      case 1: return sum - 1;
      case 2: return sum - 2;
      default: return sum;
    }
  }
}
const apply = (cart, code) => cart && code || null;
items.map((x) => x + 1);
";
        // total: cyclomatic 1 + for + ternary + the second case = 4; cognitive for 1 + ternary
        // (nested in the for) 2 + switch 1 = 4; nesting 1. apply: 1 + && + || = 3; cognitive 2
        // (two different operators). The callback passed to map is no named function.
        assert_eq!(
            measured(Language::Tsx, source),
            [
                "Cart.total cyc 4 cog 4 nest 1 params 2 lines 2-12",
                "apply cyc 3 cog 2 nest 0 params 2 lines 14-14"
            ]
        );
    }

    #[test]
    fn go_measures_worked_out_by_hand() {
        let source = "package server

func (s *Server) Serve(l Listener, opts ...Option) error {
\tfor {
\t\tconn, err := l.Accept()
\t\tif err != nil {
\t\t\treturn err
\t\t} else if conn == nil || s.closed {
\t\t\tcontinue
\t\t}
\t\tswitch conn.Kind() {
\t\tcase 1:
\t\tcase 2, 3:
\t\t}
\t}
}

func helper(a, b int) int { return a + b }
";
        // Serve: cyclomatic 1 + for + if + else if + || + the second case = 6; cognitive for 1
        // + if 2 + else if 1 + || 1 + switch (nested once) 2 = 7; nesting 2.
        assert_eq!(
            measured(Language::Go, source),
            [
                "server.(*Server).Serve cyc 6 cog 7 nest 2 params 2 lines 3-16",
                "server.helper cyc 1 cog 0 nest 0 params 2 lines 18-18"
            ]
        );
    }

    #[test]
    fn java_c_and_ruby_measures_worked_out_by_hand() {
        let java = r"class Cache {
    Object get(String key, int ttl) {
        try {
            while (ttl > 0) {
                if (key == null) {
                    return null;
                } else {
                    ttl--;
                }
            }
        } catch (Exception e) {
            return e;
        }
        return key.isEmpty() ? null : key;
    }
}
";
        // cyclomatic 1 + while + if + catch + ternary = 5; cognitive while 1 + if 2 + else 1 +
        // catch 1 + ternary 1 = 6; nesting 2.
        assert_eq!(
            measured(Language::Java, java),
            ["Cache.get cyc 5 cog 6 nest 2 params 2 lines 2-15"]
        );
        let c = "static int *find(struct node *n, int key) {\n    while (n && n->key != key)\n        n = n->next;\n    return n ? &n->key : 0;\n}\nint main(void) { return 0; }\n";
        // find: 1 + while + && + conditional = 4; cognitive while 1 + && 1 + conditional 1 = 3.
        assert_eq!(
            measured(Language::C, c),
            [
                "find cyc 4 cog 3 nest 1 params 2 lines 1-5",
                "main cyc 1 cog 0 nest 0 params 0 lines 6-6"
            ]
        );
        let ruby = "module Shop\n  class Cart\n    def total(items)\n      items.each do |i|\n        next unless i.price\n      end\n    end\n    def self.build\n    end\n  end\nend\n";
        // total: 1 + unless = 2; cognitive: unless inside the block (one level) 2; nesting 2.
        assert_eq!(
            measured(Language::Ruby, ruby),
            [
                "Shop::Cart#total cyc 2 cog 2 nest 2 params 1 lines 3-7",
                "Shop::Cart.build cyc 1 cog 0 nest 0 params 0 lines 8-9"
            ]
        );
    }

    #[test]
    fn repeated_names_are_numbered() {
        let source = "impl A { fn f(&self) {} }\nimpl B for A { fn f(&self) {} }\n";
        assert_eq!(
            functions(Language::Rust, source.as_bytes())
                .expect("parses")
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>(),
            ["A::f", "A::f#2"]
        );
    }
}
