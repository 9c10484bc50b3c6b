//! `lacquer master`: the chain renders finished files offline, each normalised to a loudness
//! target under a true-peak ceiling, in every delivery format asked for, tracks in parallel.
//!
//! Per track and delivery rate: decode, resample (rubato) to the rate, run the chain up to the
//! limiter once, solve the limiter drive for the target ([`lacquer_dsp::normalise`]), then per
//! delivery apply the output trim and dither, measure the exact samples written, encode, write
//! atomically and report. Album mode first measures every input, then gives each track the
//! album's offset from the target, so tracks keep their loudness relative to each other.

pub mod delivery;
pub mod report;
mod track;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use lacquer_dsp::ChainParams;
use lacquer_dsp::normalise::{LoudnessProfile, gated_lufs};
use lacquer_dsp::target::{LoudnessTarget, TargetSpec};
use rayon::prelude::*;

use crate::decode::decode_all;
use delivery::{Container, Delivery};
use report::{AlbumReport, FileReport};
pub use track::Output;
use track::{TrackJob, TrackResult, master_track, progress_steps};

/// The loudness target of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The target's name in reports.
    pub name: String,
    pub spec: TargetSpec,
}

impl Target {
    /// The target from the settings' `target` (or `choice`), with `lufs` and `ceiling_dbtp`
    /// overriding its loudness and its true-peak limit.
    pub fn resolve(
        params: &ChainParams,
        choice: Option<LoudnessTarget>,
        lufs: Option<f64>,
        ceiling_dbtp: Option<f64>,
    ) -> Self {
        let target = choice.unwrap_or(params.target);
        let mut spec = target.spec(params.target_lufs, params.limiter.ceiling_dbtp);
        if let Some(lufs) = lufs {
            spec.lufs = lufs;
        }
        if let Some(ceiling) = ceiling_dbtp {
            spec.max_true_peak_dbtp = ceiling;
            spec.loud_true_peak_dbtp = None;
        }
        let name = if target != LoudnessTarget::Custom && (lufs.is_some() || ceiling_dbtp.is_some())
        {
            format!("{} (adjusted)", target.name())
        } else {
            target.name().to_owned()
        };
        Self { name, spec }
    }

    /// The limiter ceiling for a track aiming at `lufs`: the true peak allowed at that
    /// loudness (Spotify asks for more headroom above -14 LUFS).
    pub fn ceiling_for(&self, lufs: f64) -> f64 {
        self.spec.allowed_true_peak_dbtp(lufs)
    }

    /// The true peak allowed for a file measuring `lufs`.
    pub fn allowed_true_peak_dbtp(&self, lufs: Option<f64>) -> f64 {
        lufs.map_or(self.spec.max_true_peak_dbtp, |l| {
            self.spec.allowed_true_peak_dbtp(l)
        })
    }
}

/// A mastering run.
#[derive(Debug, Clone)]
pub struct MasterJob {
    pub inputs: Vec<PathBuf>,
    pub out_dir: PathBuf,
    /// The chain's settings (preset and `--set` applied).
    pub params: ChainParams,
    pub target: Target,
    pub deliveries: Vec<Delivery>,
    /// WAV, and FLAC if asked for.
    pub containers: Vec<Container>,
    /// Master the inputs as one album.
    pub album: bool,
    /// Overwrite existing outputs.
    pub force: bool,
    /// Tracks rendered at once.
    pub threads: usize,
    /// Draw progress bars on standard error.
    pub show_progress: bool,
}

/// Inputs that could not be mastered, with the reason.
pub type Failures = Vec<(PathBuf, anyhow::Error)>;

/// What a run delivered, and what failed.
#[derive(Debug)]
pub struct MasterOutcome {
    pub files: Vec<FileReport>,
    pub albums: Vec<AlbumReport>,
    /// Inputs that could not be mastered, with the reason.
    pub failures: Failures,
}

impl MasterJob {
    /// Each input's outputs: `<out>/<input stem>.<delivery>.<wav|flac>`. Refuses to write over
    /// an input, to give two inputs the same outputs, or (without `force`) to write over a file.
    pub fn plan(&self) -> anyhow::Result<Vec<Vec<Output>>> {
        if self.inputs.is_empty() {
            bail!("no input files");
        }
        std::fs::create_dir_all(&self.out_dir)
            .with_context(|| format!("cannot create '{}'", self.out_dir.display()))?;
        let inputs: HashSet<PathBuf> = self
            .inputs
            .iter()
            .filter_map(|p| p.canonicalize().ok())
            .collect();
        let mut planned = HashSet::new();
        let mut plans = Vec::new();
        for input in &self.inputs {
            let stem = input
                .file_stem()
                .with_context(|| format!("'{}' has no file name", input.display()))?
                .to_string_lossy();
            let mut outputs = Vec::new();
            for &delivery in &self.deliveries {
                for &container in &self.containers {
                    let path = self.out_dir.join(format!(
                        "{stem}.{}.{}",
                        delivery.name(),
                        container.extension()
                    ));
                    check_output(&path, &inputs, &mut planned, self.force)?;
                    outputs.push(Output {
                        delivery,
                        container,
                        path,
                    });
                }
            }
            plans.push(outputs);
        }
        Ok(plans)
    }

    /// Masters every input. Fails as a whole only before any audio is written (a bad plan);
    /// a track that fails is reported in [`MasterOutcome::failures`] and the others complete.
    pub fn run(&self) -> anyhow::Result<MasterOutcome> {
        let plans = self.plan()?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads.max(1))
            .build()
            .context("cannot start worker threads")?;
        let progress = MultiProgress::with_draw_target(if self.show_progress {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        });
        let mut failures = Vec::new();
        let aims = if self.album {
            let (aims, failed) = pool.install(|| self.album_aims());
            failures.extend(failed);
            aims
        } else {
            vec![Some(self.target.spec.lufs); self.inputs.len()]
        };
        let results: Vec<(usize, anyhow::Result<TrackResult>)> = pool.install(|| {
            plans
                .par_iter()
                .enumerate()
                .filter_map(|(i, outputs)| aims[i].map(|lufs| (i, outputs, lufs)))
                .map(|(i, outputs, lufs)| {
                    let job = TrackJob {
                        input: &self.inputs[i],
                        outputs,
                        params: &self.params,
                        target: &self.target,
                        lufs,
                        keep_blocks: self.album,
                    };
                    let bar = progress.add(ProgressBar::new(progress_steps(outputs)));
                    bar.set_style(
                        ProgressStyle::with_template("[{bar:24}] {pos}/{len} {msg}")
                            .expect("valid template")
                            .progress_chars("=> "),
                    );
                    let result = master_track(&job, &bar)
                        .with_context(|| format!("cannot master '{}'", job.input.display()));
                    bar.finish_and_clear();
                    (i, result)
                })
                .collect()
        });
        let mut files = Vec::new();
        let mut blocks: Vec<(Delivery, Vec<f64>)> = Vec::new();
        for (i, result) in results {
            match result {
                Ok(track) => {
                    files.extend(track.files);
                    blocks.extend(track.blocks);
                }
                Err(error) => failures.push((self.inputs[i].clone(), error)),
            }
        }
        let albums = if self.album {
            self.album_reports(&blocks)
        } else {
            Vec::new()
        };
        Ok(MasterOutcome {
            files,
            albums,
            failures,
        })
    }

    /// Album mode: each input's loudness as mixed, and the album's; each track then aims at
    /// its own loudness plus the album's distance to the target. `None` for inputs that
    /// cannot be read (returned as failures).
    fn album_aims(&self) -> (Vec<Option<f64>>, Failures) {
        let measured: Vec<anyhow::Result<(Option<f64>, Vec<f64>)>> = self
            .inputs
            .par_iter()
            .map(|input| {
                let (rate, channels) = decode_all(input)
                    .with_context(|| format!("cannot read '{}'", input.display()))?;
                let profile = LoudnessProfile::measure(&channels, f64::from(rate));
                Ok((profile.integrated_lufs(), profile.gating_blocks().collect()))
            })
            .collect();
        let album_lufs = gated_lufs(
            measured
                .iter()
                .flatten()
                .flat_map(|(_, blocks)| blocks.iter().copied()),
        );
        let offset = album_lufs.map_or(0.0, |album| self.target.spec.lufs - album);
        let mut failures = Vec::new();
        let aims = measured
            .into_iter()
            .zip(&self.inputs)
            .map(|(result, input)| match result {
                Ok((lufs, _)) => Some(lufs.map_or(self.target.spec.lufs, |l| l + offset)),
                Err(error) => {
                    failures.push((input.clone(), error));
                    None
                }
            })
            .collect();
        (aims, failures)
    }

    /// The album's loudness in each delivery, from all its tracks' gating blocks.
    fn album_reports(&self, blocks: &[(Delivery, Vec<f64>)]) -> Vec<AlbumReport> {
        let mut deliveries: Vec<Delivery> = blocks.iter().map(|(d, _)| *d).collect();
        deliveries.sort();
        deliveries.dedup();
        deliveries
            .into_iter()
            .map(|delivery| AlbumReport {
                delivery,
                target_lufs: self.target.spec.lufs,
                lufs: gated_lufs(
                    blocks
                        .iter()
                        .filter(|(d, _)| *d == delivery)
                        .flat_map(|(_, b)| b.iter().copied()),
                ),
            })
            .collect()
    }
}

/// Refuses an output that is an input, is planned twice, or exists (unless `force`).
fn check_output(
    path: &Path,
    inputs: &HashSet<PathBuf>,
    planned: &mut HashSet<PathBuf>,
    force: bool,
) -> anyhow::Result<()> {
    if path.canonicalize().is_ok_and(|p| inputs.contains(&p)) {
        bail!("refusing to write over the input '{}'", path.display());
    }
    if !planned.insert(path.to_path_buf()) {
        bail!(
            "two inputs would both be delivered as '{}' (rename one)",
            path.display()
        );
    }
    if path.exists() && !force {
        bail!("'{}' exists (use --force to overwrite it)", path.display());
    }
    Ok(())
}
