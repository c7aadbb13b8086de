//! The machinery of the layer check: the layer table from the document, a
//! small Rust tokenizer (comments dropped, literals blanked), `use` trees
//! and paths resolved to files, and the rules over the resulting graph.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Longest a handler may be, from `fn` to its closing brace.
pub const MAX_HANDLER_LINES: usize = 40;

/// Crates the domain must not name: it knows nothing of HTTP.
const HTTP_CRATES: &[&str] = &["axum", "http", "utoipa"];

/// What of the store a handler may not touch: building queries, batches
/// and documents is the domain's (or the owning aggregate's) business.
const STORE_QUERY_ITEMS: &[&str] = &[
    "Query",
    "Filter",
    "FilterOp",
    "Order",
    "BatchOp",
    "NewDocument",
    "Container",
    "query_all",
];
const STORE_QUERY_CALLS: &[&str] = &["query", "query_all_partitions", "batch"];

/// The layer table: each layer's name and its file entries, top first.
pub struct Layers {
    layers: Vec<(String, Vec<String>)>,
}

impl Layers {
    pub fn parse(doc: &str) -> Result<Self, String> {
        let begin = doc
            .find("<!-- layers:begin")
            .ok_or("no <!-- layers:begin marker")?;
        let end = doc
            .find("<!-- layers:end")
            .ok_or("no <!-- layers:end marker")?;
        let mut layers = Vec::new();
        for line in doc[begin..end].lines().skip(1) {
            let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
            if cells.len() < 2 || cells[0].trim().starts_with('-') {
                continue;
            }
            let name = cells[0].trim().trim_matches(['`', '*']).to_owned();
            let entries: Vec<String> = cells[1]
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect();
            if entries.is_empty() {
                continue; // the header row
            }
            if layers.iter().any(|(n, _)| *n == name) {
                return Err(format!("layer {name} twice"));
            }
            layers.push((name, entries));
        }
        if layers.is_empty() {
            return Err("the layer table is empty".into());
        }
        Ok(Layers { layers })
    }

    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// The rank (0 = top) and name of the layer of `file`: the most
    /// specific entry that matches it.
    fn of(&self, file: &str) -> Option<(usize, &str)> {
        let mut best: Option<(usize, usize, &str)> = None;
        for (rank, (name, entries)) in self.layers.iter().enumerate() {
            for e in entries {
                let hit = if e.ends_with('/') {
                    file.starts_with(e.as_str())
                } else {
                    file == e
                };
                if hit && best.is_none_or(|(len, _, _)| e.len() > len) {
                    best = Some((e.len(), rank, name));
                }
            }
        }
        best.map(|(_, rank, name)| (rank, name))
    }

    pub fn unused_entries(&self, sources: &Sources) -> Vec<String> {
        self.layers
            .iter()
            .flat_map(|(_, entries)| entries)
            .filter(|e| {
                !sources.files.keys().any(|f| {
                    if e.ends_with('/') {
                        f.starts_with(e.as_str())
                    } else {
                        f == *e
                    }
                })
            })
            .cloned()
            .collect()
    }
}

/// The crate's files, by path relative to `handlers/`.
pub struct Sources {
    files: BTreeMap<String, String>,
}

impl Sources {
    pub fn read(dir: &Path) -> std::io::Result<Self> {
        fn walk(
            dir: &Path,
            base: &Path,
            out: &mut BTreeMap<String, String>,
        ) -> std::io::Result<()> {
            for entry in std::fs::read_dir(dir)? {
                let path = entry?.path();
                if path.is_dir() {
                    walk(&path, base, out)?;
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let rel = path
                        .strip_prefix(base)
                        .map_err(std::io::Error::other)?
                        .to_string_lossy()
                        .replace('\\', "/");
                    out.insert(rel, std::fs::read_to_string(&path)?);
                }
            }
            Ok(())
        }
        let mut files = BTreeMap::new();
        walk(dir, dir, &mut files)?;
        Ok(Sources { files })
    }

    pub fn from_files(files: Vec<(String, String)>) -> Self {
        Sources {
            files: files.into_iter().collect(),
        }
    }

    /// Module path → file. `lib.rs` is the crate root; `main.rs` is a
    /// crate root of its own that reaches the library as `insite_lms`.
    fn modules(&self) -> BTreeMap<Vec<String>, String> {
        let mut out = BTreeMap::new();
        for file in self.files.keys() {
            let module = module_of(file);
            if file == "main.rs" && self.files.contains_key("lib.rs") {
                continue;
            }
            out.insert(module, file.clone());
        }
        out
    }
}

fn module_of(file: &str) -> Vec<String> {
    let mut segs: Vec<String> = file
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_owned)
        .collect();
    if matches!(
        segs.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        segs.pop();
    }
    segs
}

/// Every violation of the rules, one string each (`upward: A -> B`, …); an error
/// when a file belongs to no layer.
pub fn violations(layers: &Layers, sources: &Sources) -> Result<BTreeSet<String>, String> {
    let modules = sources.modules();
    let mut out = BTreeSet::new();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in &sources.files {
        let (rank, _) = layers
            .of(file)
            .ok_or_else(|| format!("{file} is in no layer of docs/ARCHITECTURE.md"))?;
        let scan = scan_file(file, text, &modules);
        for target in &scan.imports {
            let Some((target_rank, _)) = layers.of(target) else {
                continue;
            };
            if target_rank < rank {
                out.insert(format!("upward: {file} -> {target}"));
            }
        }
        graph.insert(file.clone(), scan.imports.clone());
        if file.starts_with("domain/") && !scan.http_crates.is_empty() {
            out.insert(format!("domain knows HTTP: {file}"));
        }
        if file.starts_with("functions/") {
            for (name, lines) in &scan.handlers {
                if *lines > MAX_HANDLER_LINES {
                    out.insert(format!("long handler: {file} {name}"));
                }
            }
            if scan.touches_store_internals {
                out.insert(format!("store in functions: {file}"));
            }
        }
    }
    for component in cycles(&graph) {
        out.insert(format!("cycle: {}", component.join(", ")));
    }
    Ok(out)
}

/// What one file imports and does.
#[derive(Default)]
struct Scan {
    imports: BTreeSet<String>,
    http_crates: BTreeSet<String>,
    /// Handler name and its length in lines.
    handlers: Vec<(String, usize)>,
    touches_store_internals: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    /// `::`
    Path,
    Punct(char),
}

/// Tokens with their line numbers; comments are dropped and the contents
/// of string and character literals never become tokens.
fn tokenize(text: &str) -> Vec<(Tok, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if c == '"' || ((c == 'r' || c == 'b') && is_raw_or_byte_string(&chars, i)) {
            // Skip the prefix, then the literal (raw strings end at `"` plus
            // as many `#` as they opened with).
            let mut j = i;
            while chars[j] != '"' && chars[j] != '#' {
                j += 1;
            }
            let raw = j > i && chars[i..j].contains(&'r');
            let mut hashes = 0;
            while chars[j] == '#' {
                hashes += 1;
                j += 1;
            }
            j += 1; // the opening quote
            loop {
                match chars.get(j) {
                    None => break,
                    Some('\\') if !raw => {
                        if at(j + 1) == '\n' {
                            line += 1;
                        }
                        j += 2;
                    }
                    Some('"') if (j + 1..j + 1 + hashes).all(|k| at(k) == '#') => {
                        j += 1 + hashes;
                        break;
                    }
                    Some('\n') => {
                        line += 1;
                        j += 1;
                    }
                    Some(_) => j += 1,
                }
            }
            i = j;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if at(i + 1) == '\\' {
                let mut j = i + 3;
                while j < chars.len() && chars[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            out.push((Tok::Ident(word.trim_start_matches("r#").to_owned()), line));
        } else if c == ':' && at(i + 1) == ':' {
            out.push((Tok::Path, line));
            i += 2;
        } else {
            out.push((Tok::Punct(c), line));
            i += 1;
        }
    }
    out
}

fn is_raw_or_byte_string(chars: &[char], i: usize) -> bool {
    // Not the end of an identifier: `br"`, `r#"`, `b"`, `r"`.
    if i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_') {
        return false;
    }
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    if chars.get(j) == Some(&'r') {
        j += 1;
        while chars.get(j) == Some(&'#') {
            j += 1;
        }
    }
    j > i && chars.get(j) == Some(&'"')
}

/// Expand a `use` tree starting at `toks[*i]` into full paths.
fn use_tree(toks: &[(Tok, usize)], i: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut path = prefix;
    loop {
        match toks.get(*i).map(|t| &t.0) {
            Some(Tok::Ident(w)) if w == "as" => {
                *i += 2; // `as name`
                out.push(path);
                return;
            }
            Some(Tok::Ident(w)) => {
                if w != "self" || path.is_empty() {
                    path.push(w.clone());
                }
                *i += 1;
            }
            Some(Tok::Path) => *i += 1,
            Some(Tok::Punct('*')) => {
                *i += 1;
                out.push(path);
                return;
            }
            Some(Tok::Punct('{')) => {
                *i += 1;
                loop {
                    match toks.get(*i).map(|t| &t.0) {
                        Some(Tok::Punct('}')) => {
                            *i += 1;
                            return;
                        }
                        Some(Tok::Punct(',')) => *i += 1,
                        None => return,
                        _ => use_tree(toks, i, path.clone(), out),
                    }
                }
            }
            _ => {
                out.push(path);
                return;
            }
        }
    }
}

/// Scan one file: resolve its imports against `modules`.
fn scan_file(file: &str, text: &str, modules: &BTreeMap<Vec<String>, String>) -> Scan {
    let toks = tokenize(text);
    let file_module = module_of(file);
    let is_main = file == "main.rs";
    // Child modules declared in this file (`mod x;`), reachable by a bare
    // `x::` path.
    let children: BTreeSet<String> = toks
        .windows(3)
        .filter_map(|w| match (&w[0].0, &w[1].0, &w[2].0) {
            (Tok::Ident(m), Tok::Ident(name), Tok::Punct(';')) if m == "mod" => Some(name.clone()),
            _ => None,
        })
        .collect();
    let mut scan = Scan::default();
    // Inline modules (`mod tests { … }`) open at a brace depth.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut paths: Vec<(Vec<String>, Vec<String>)> = Vec::new(); // (module, path)
    let mut pending_handler = false;
    let mut test_depth: Option<usize> = None;
    let mut i = 0;
    while i < toks.len() {
        let current: Vec<String> = file_module
            .iter()
            .cloned()
            .chain(inline.iter().map(|(m, _)| m.clone()))
            .collect();
        let prev_is_path = i > 0 && toks[i - 1].0 == Tok::Path;
        match &toks[i].0 {
            Tok::Punct('{') => {
                depth += 1;
                i += 1;
            }
            Tok::Punct('}') => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                if test_depth == Some(depth) {
                    test_depth = None;
                }
                i += 1;
            }
            Tok::Ident(w) if w == "mod" => {
                if let (Some((Tok::Ident(name), _)), Some((Tok::Punct('{'), _))) =
                    (toks.get(i + 1), toks.get(i + 2))
                {
                    if name == "tests" && test_depth.is_none() {
                        test_depth = Some(depth);
                    }
                    inline.push((name.clone(), depth));
                    depth += 1;
                    i += 3;
                } else {
                    i += 1;
                }
            }
            Tok::Ident(w) if w == "use" && !prev_is_path => {
                i += 1;
                let mut trees = Vec::new();
                use_tree(&toks, &mut i, Vec::new(), &mut trees);
                for p in trees {
                    paths.push((current.clone(), p));
                }
            }
            Tok::Punct('#') => {
                // `#[utoipa::path(` marks the next `fn` as a route handler.
                if matches!(
                    (toks.get(i + 2), toks.get(i + 3), toks.get(i + 4)),
                    (Some((Tok::Ident(a), _)), Some((Tok::Path, _)), Some((Tok::Ident(b), _)))
                        if a == "utoipa" && b == "path"
                ) {
                    pending_handler = true;
                }
                // The attribute's own paths (`derive(utoipa::ToSchema)`)
                // are read like any other path.
                i += 1;
            }
            Tok::Ident(w) if w == "fn" => {
                let name = match toks.get(i + 1) {
                    Some((Tok::Ident(n), _)) => n.clone(),
                    _ => String::new(),
                };
                let is_run = name == "run" && inline.is_empty() && depth == 0;
                if (pending_handler || is_run) && test_depth.is_none() {
                    let start = toks[i].1;
                    // The body: the first `{` after the signature (`where`
                    // clauses included), to its matching `}`.
                    let mut j = i;
                    while j < toks.len() && toks[j].0 != Tok::Punct('{') {
                        j += 1;
                    }
                    let mut d = 0usize;
                    let mut end = start;
                    while j < toks.len() {
                        match toks[j].0 {
                            Tok::Punct('{') => d += 1,
                            Tok::Punct('}') => {
                                d -= 1;
                                if d == 0 {
                                    end = toks[j].1;
                                    break;
                                }
                            }
                            _ => {}
                        }
                        j += 1;
                    }
                    scan.handlers.push((name, end - start + 1));
                }
                pending_handler = false;
                i += 1;
            }
            Tok::Ident(w) if !prev_is_path => {
                // A path: `a::b::c`, read up to its last segment.
                let mut p = vec![w.clone()];
                let mut j = i + 1;
                while let (Some((Tok::Path, _)), Some((Tok::Ident(next), _))) =
                    (toks.get(j), toks.get(j + 1))
                {
                    p.push(next.clone());
                    j += 2;
                }
                if p.len() > 1 {
                    paths.push((current.clone(), p));
                }
                if let Some((Tok::Punct('.'), _)) = toks.get(i.wrapping_sub(1))
                    && STORE_QUERY_CALLS.contains(&w.as_str())
                    && matches!(toks.get(i + 1), Some((Tok::Punct('('), _)))
                {
                    scan.touches_store_internals = true;
                }
                i = j;
            }
            _ => i += 1,
        }
    }
    for (module, path) in paths {
        let first = path[0].as_str();
        if HTTP_CRATES.contains(&first) {
            scan.http_crates.insert(first.to_owned());
            continue;
        }
        let absolute: Option<Vec<String>> = match first {
            "crate" => Some(path[1..].to_vec()),
            "insite_lms" if is_main => Some(path[1..].to_vec()),
            "self" => Some(
                module
                    .iter()
                    .cloned()
                    .chain(path[1..].iter().cloned())
                    .collect(),
            ),
            "super" => {
                let mut base = module.clone();
                let mut k = 0;
                while path.get(k).is_some_and(|s| s == "super") {
                    base.pop();
                    k += 1;
                }
                Some(base.into_iter().chain(path[k..].iter().cloned()).collect())
            }
            child if module == file_module && children.contains(child) => {
                Some(module.iter().cloned().chain(path.iter().cloned()).collect())
            }
            _ => None,
        };
        let Some(absolute) = absolute else { continue };
        let target = (0..=absolute.len())
            .rev()
            .find_map(|k| modules.get(&absolute[..k]).map(|f| (k, f)));
        let Some((k, target)) = target else { continue };
        if target == "store/containers.rs" && file.starts_with("functions/") {
            scan.touches_store_internals = true;
        }
        if target.starts_with("store/")
            && file.starts_with("functions/")
            && absolute
                .get(k)
                .is_some_and(|item| STORE_QUERY_ITEMS.contains(&item.as_str()))
        {
            scan.touches_store_internals = true;
        }
        if target != file {
            scan.imports.insert(target.clone());
        }
    }
    scan
}

/// The strongly connected components with more than one file (Tarjan),
/// each sorted, in sorted order.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(edges) = s.graph.get(v) {
            for w in edges {
                let w = w.as_str();
                if !s.graph.contains_key(w) {
                    continue;
                }
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let lw = s.low[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(lw));
                } else if s.on_stack.contains(w) {
                    let iw = s.index[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(iw));
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.out.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out.sort();
    s.out
}
