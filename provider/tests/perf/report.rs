//! The bench's output: markdown tables with ratios, and a gnuplot PNG of time vs N.
use std::fmt::Write as _;
use std::process::Command;

use super::measure::Static;
use super::{Config, Cycle, Which};

/// The emulator's limit: requests per window per API key, and the window in seconds.
const LIMIT: f64 = 1000.0;
const WINDOW_S: f64 = 60.0;

/// A timed command of a cycle: its label and where its median is.
type Timed = (&'static str, fn(&Cycle) -> f64);

const COMMANDS: [Timed; 4] = [
    ("plan (empty state)", |c| c.plan),
    ("apply", |c| c.apply),
    ("refresh-plan", |c| c.refresh),
    ("destroy", |c| c.destroy),
];

pub struct Report<'a> {
    pub cfg: &'a Config,
    pub statics: Vec<Static>,
    pub off: Vec<(Which, usize, Cycle)>,
    pub on: Vec<(usize, Cycle)>,
}

fn ratio(a: f64, b: Option<f64>) -> String {
    match b {
        Some(b) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "–".to_string(),
    }
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "unavailable".to_string(), |v| format!("{v:.digits$}"))
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

impl Report<'_> {
    fn cycle(&self, which: Which, n: usize) -> Option<&Cycle> {
        self.off
            .iter()
            .find(|(w, m, _)| *w == which && *m == n)
            .map(|(_, _, c)| c)
    }

    fn stat(&self, which: Which) -> Option<&Static> {
        self.statics.iter().find(|s| s.which == which)
    }

    fn header(&self, md: &mut String) {
        let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        let _ = writeln!(
            md,
            "# Performance: terraform-provider-workos vs hashicorp/null\n"
        );
        let _ = writeln!(
            md,
            "Machine: {cores} cores, load average at the end `{}`. Medians of {} runs \
             (handshake: {}). Terraform's default parallelism (10).",
            load.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" "),
            self.cfg.runs,
            self.cfg.handshakes
        );
        if let Some(why) = &self.cfg.null_missing {
            let _ = writeln!(md, "\n**null provider unavailable**: {why}");
        }
    }

    fn statics_table(&self, md: &mut String) {
        let w = self.stat(Which::Workos).expect("workos measured");
        let n = self.stat(Which::Null);
        let max_n = self.cfg.sizes.iter().copied().max().unwrap_or(0);
        let rss = |which| self.cycle(which, max_n).map(|c| mib(c.rss_kib));
        let procs = |which| self.cycle(which, max_n).map(|c| c.processes as f64);
        let _ = writeln!(md, "\n## Binary, handshake, memory\n");
        let _ = writeln!(
            md,
            "| | workos | null | workos ÷ null |\n|---|---:|---:|---:|"
        );
        let rows: [(String, f64, Option<f64>, usize); 4] = [
            (
                "binary size (MB)".into(),
                w.bytes as f64 / 1e6,
                n.map(|s| s.bytes as f64 / 1e6),
                1,
            ),
            (
                "handshake (ms)".into(),
                w.handshake_ms,
                n.map(|s| s.handshake_ms),
                2,
            ),
            (
                format!("peak RSS of one provider process, apply N={max_n} (MiB)"),
                rss(Which::Workos).unwrap_or(0.0),
                rss(Which::Null),
                1,
            ),
            (
                "provider processes in that apply".into(),
                procs(Which::Workos).unwrap_or(0.0),
                procs(Which::Null),
                0,
            ),
        ];
        for (label, a, b, d) in rows {
            let _ = writeln!(
                md,
                "| {label} | {a:.d$} | {} | {} |",
                opt(b, d),
                ratio(a, b)
            );
        }
    }

    fn off_table(&self, md: &mut String) {
        let _ = writeln!(
            md,
            "\n## Limiter off: overhead (seconds; the proxy spreads requests over {} seeded keys)\n",
            self.cfg.keys
        );
        let _ = writeln!(
            md,
            "| N | command | workos | null | workos ÷ null | null, same-size state | workos ÷ that | workos, instant API | instant ÷ null |\n\
             |---:|---|---:|---:|---:|---:|---:|---:|---:|"
        );
        for &n in &self.cfg.sizes {
            let Some(w) = self.cycle(Which::Workos, n) else {
                continue;
            };
            let nu = self.cycle(Which::Null, n);
            let same = self.cycle(Which::NullSameState, n);
            let instant = self.cycle(Which::WorkosInstant, n);
            for (label, f) in COMMANDS {
                let (b, c, i) = (nu.map(f), same.map(f), instant.map(f));
                let _ = writeln!(
                    md,
                    "| {n} | {label} | {:.2} | {} | {} | {} | {} | {} | {} |",
                    f(w),
                    opt(b, 2),
                    ratio(f(w), b),
                    opt(c, 2),
                    ratio(f(w), c),
                    opt(i, 2),
                    i.map_or_else(|| "–".to_string(), |i| ratio(i, b)),
                );
            }
            let per_object = |c: &Cycle| {
                format!(
                    "{} ({:.2} per object)",
                    c.refresh_requests,
                    c.refresh_requests as f64 / n as f64
                )
            };
            let _ = writeln!(
                md,
                "| {n} | API requests per refresh | {} | – | | – | | {} | |",
                per_object(w),
                instant.map_or_else(|| "–".to_string(), per_object)
            );
        }
    }

    fn off_note(&self, md: &mut String) {
        let _ = writeln!(
            md,
            "\n\"null, same-size state\": null_resource whose `triggers` hold the attributes and \
             value lengths of a workos_permission's state. Terraform rewrites the state as objects \
             complete, so its own time grows with the size of each object's state; this column \
             is that cost without any provider work or API.\n\n\
             \"workos, instant API\": the same workos configuration against an in-process server \
             of the bench that answers the permission operations from memory (spec-shaped \
             answers, checked against the spec first), with no emulator and no proxy: this \
             provider and Terraform alone. The emulator is a Node process on the same cores as \
             Terraform, so its CPU is part of the \"workos\" column; a real WorkOS API runs \
             elsewhere."
        );
    }

    fn on_table(&self, md: &mut String) {
        let _ = writeln!(
            md,
            "\n## Limiter on: real pacing (one key, {LIMIT} requests / {WINDOW_S} s; one cycle per N on a fresh emulator)\n"
        );
        let _ = writeln!(
            md,
            "| N | plan | apply | refresh-plan | destroy | apply requests | requests ÷ limit (s) | apply ÷ that | 429 answers (retried) |\n\
             |---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        );
        for (n, c) in &self.on {
            let floor = c.apply_requests as f64 * WINDOW_S / LIMIT;
            let _ = writeln!(
                md,
                "| {n} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {floor:.1} | {} | {} |",
                c.plan,
                c.apply,
                c.refresh,
                c.destroy,
                c.apply_requests,
                ratio(c.apply, Some(floor)),
                c.throttled
            );
        }
        let _ = writeln!(
            md,
            "\nThe emulator's limiter is a fixed window: up to {LIMIT} requests per key pass at once, \
             so an apply below that many requests is not paced at all and its ratio to \
             \"requests ÷ limit\" is not a pacing figure; from {LIMIT} requests on, the window \
             imposes about {WINDOW_S} s per {LIMIT} requests. Every command succeeded (a failed \
             command stops the bench)."
        );
    }

    pub fn markdown(&self) -> String {
        let mut md = String::new();
        self.header(&mut md);
        self.statics_table(&mut md);
        self.off_table(&mut md);
        self.off_note(&mut md);
        self.on_table(&mut md);
        let _ = writeln!(md, "\n![time vs N](time-vs-n.png)");
        md
    }

    fn data(&self) -> String {
        let mut dat = String::from(
            "# N workos_plan workos_apply workos_refresh workos_destroy null_plan null_apply null_refresh null_destroy workos_apply_limited same_state_apply same_state_destroy instant_apply instant_destroy\n",
        );
        for &n in &self.cfg.sizes {
            let col = |c: Option<&Cycle>, f: fn(&Cycle) -> f64| {
                c.map_or_else(|| "-".to_string(), |c| format!("{:.3}", f(c)))
            };
            let mut line = format!("{n}");
            for which in [Which::Workos, Which::Null] {
                let c = self.cycle(which, n);
                for (_, f) in COMMANDS {
                    line.push(' ');
                    line.push_str(&col(c, f));
                }
            }
            let lim = self.on.iter().find(|(m, _)| *m == n).map(|(_, c)| c);
            line.push(' ');
            line.push_str(&col(lim, |c| c.apply));
            for which in [Which::NullSameState, Which::WorkosInstant] {
                let c = self.cycle(which, n);
                for f in [|c: &Cycle| c.apply, |c: &Cycle| c.destroy] {
                    line.push(' ');
                    line.push_str(&col(c, f));
                }
            }
            dat.push_str(&line);
            dat.push('\n');
        }
        dat
    }

    /// Writes time-vs-n.dat and .gp and runs gnuplot (`make bench` installs it).
    pub fn plot(&self) {
        let dat = self.cfg.out.join("time-vs-n.dat");
        std::fs::write(&dat, self.data()).expect("write time-vs-n.dat");
        let mut gp = String::from(
            "set terminal png size 1000,640 noenhanced\nset output 'time-vs-n.png'\n\
             set title 'terraform-provider-workos vs hashicorp/null: median seconds vs N'\n\
             set logscale xy\nset xlabel 'N (workos_permission / null_resource)'\n\
             set ylabel 'seconds'\nset key left top\nset grid\nset datafile missing '-'\n\
             plot ",
        );
        let series = [
            (2, "workos plan", "lc rgb '#1f77b4' dt 1"),
            (3, "workos apply", "lc rgb '#d62728' dt 1"),
            (4, "workos refresh-plan", "lc rgb '#2ca02c' dt 1"),
            (5, "workos destroy", "lc rgb '#9467bd' dt 1"),
            (6, "null plan", "lc rgb '#1f77b4' dt 2"),
            (7, "null apply", "lc rgb '#d62728' dt 2"),
            (8, "null refresh-plan", "lc rgb '#2ca02c' dt 2"),
            (9, "null destroy", "lc rgb '#9467bd' dt 2"),
            (10, "workos apply, limiter on", "lc rgb '#000000' dt 3"),
            (11, "null apply, same-size state", "lc rgb '#d62728' dt 4"),
            (12, "null destroy, same-size state", "lc rgb '#9467bd' dt 4"),
            (13, "workos apply, instant API", "lc rgb '#ff7f0e' dt 1"),
            (14, "workos destroy, instant API", "lc rgb '#8c564b' dt 1"),
        ];
        let parts: Vec<String> = series
            .iter()
            .map(|(col, title, style)| {
                format!(
                    "'time-vs-n.dat' using 1:{col} with linespoints lw 2 {style} title '{title}'"
                )
            })
            .collect();
        gp.push_str(&parts.join(", \\\n     "));
        gp.push('\n');
        std::fs::write(self.cfg.out.join("time-vs-n.gp"), gp).expect("write time-vs-n.gp");
        let st = Command::new("gnuplot")
            .arg("time-vs-n.gp")
            .current_dir(&self.cfg.out)
            .status()
            .expect("run gnuplot (make bench installs it: apt-get install gnuplot-nox)");
        assert!(st.success(), "gnuplot failed");
    }
}
