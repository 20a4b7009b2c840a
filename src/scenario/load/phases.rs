//! `"phases"` (named windows of the run), `"swarm"` (bounds on random fault rates) and
//! `"buggify"` (the models' injection points), the sections about when and how often
//! random things happen.

use super::fields::{check_fields, failed, positive_duration_us, quoted};
use super::names::duration;
use crate::scenario::json::{Errors, LoadError, ObjectReader, Reader, Span, UniqueIds};
use crate::scenario::spec::{BuggifySpec, FaultSpec, Phase, SwarmBound};
use std::collections::BTreeMap;

const PHASE_FIELDS: &[&str] = &["name", "from", "until", "faults"];
const SWARM_FIELDS: &[&str] = &["fault", "mtbf"];
const BUGGIFY_FIELDS: &[&str] = &["enable", "fire"];

/// Reads `"buggify"`: an object with `enable` and `fire`, each from 0 to 1 and
/// optional. `Some(None)` when the section is absent, `None` after an error.
pub(super) fn read_buggify(
    top: &ObjectReader<'_>,
    errors: &mut Errors,
) -> Option<Option<BuggifySpec>> {
    let Some(r) = top.optional("buggify") else {
        return Some(None);
    };
    let obj = errors.check(r.expect_object())?;
    let d = BuggifySpec::default();
    let fields = errors.check(check_fields(&obj, BUGGIFY_FIELDS, "buggify", &[]));
    let enable = super::fields::opt(&obj, "enable", errors, d.enable, super::fields::fraction);
    let fire = super::fields::opt(&obj, "fire", errors, d.fire, super::fields::fraction);
    match (fields, enable, fire) {
        (Some(()), Some(enable), Some(fire)) => Some(Some(BuggifySpec { enable, fire })),
        _ => None,
    }
}

/// Reads `"phases"`: names unique, `from < until <= duration`, no two overlapping.
pub(super) fn read_phases(
    top: &ObjectReader<'_>,
    duration_us: Option<u64>,
    errors: &mut Errors,
) -> Option<Vec<Phase>> {
    let Some(r) = top.optional("phases") else {
        return Some(Vec::new());
    };
    let items = errors.check(r.expect_array())?;
    let mut names = UniqueIds::new("phase name");
    let mut phases: Vec<(Phase, Reader<'_>)> = Vec::new();
    let mut ok = true;
    for item in items.iter() {
        match errors.check(read_phase(&item, duration_us, &mut names)) {
            Some(p) => phases.push((p, item)),
            None => ok = false,
        }
    }
    // Sorted by start, a phase overlaps an earlier one exactly when it starts before
    // the latest end so far; reported at whichever of the two comes later in the file.
    let mut order: Vec<usize> = (0..phases.len()).collect();
    order.sort_by_key(|&i| (phases[i].0.from_us, i));
    let mut latest: Option<usize> = None;
    for &i in &order {
        if let Some(l) = latest {
            let (a, b) = (&phases[l].0, &phases[i].0);
            if b.from_us < a.until_us {
                let (here, there) = if l < i { (i, l) } else { (l, i) };
                let (p, q) = (&phases[here].0, &phases[there].0);
                errors.push(phases[here].1.error_expected(
                    format!(
                        "phase {} ({}..{}) overlaps phase {} ({}..{})",
                        quoted(&p.name),
                        duration(p.from_us),
                        duration(p.until_us),
                        quoted(&q.name),
                        duration(q.from_us),
                        duration(q.until_us)
                    ),
                    "phases that do not overlap",
                ));
                ok = false;
            }
            if b.until_us > a.until_us {
                latest = Some(i);
            }
        } else {
            latest = Some(i);
        }
    }
    ok.then(|| phases.into_iter().map(|(p, _)| p).collect())
}

fn read_phase<'a>(
    r: &Reader<'a>,
    duration_us: Option<u64>,
    names: &mut UniqueIds<'a>,
) -> Result<Phase, LoadError> {
    let obj = r.expect_object()?;
    let mut errors = Errors::new();
    errors.check(check_fields(&obj, PHASE_FIELDS, "a phase", &[]));
    let name = errors.check(obj.required("name").and_then(|n| {
        super::fields::read_name(&n)?;
        names.check(&n)
    }));
    let from = errors.check(
        obj.required("from")
            .and_then(|f| super::fields::time_before_end_us(&f, duration_us)),
    );
    let until = errors.check(obj.required("until").and_then(|u| {
        let us = positive_duration_us(&u)?;
        match duration_us {
            Some(end) if us > end => Err(u.error_expected(
                format!("{} is after the end of the run", duration(us)),
                format!("at most the scenario's duration, {}", duration(end)),
            )),
            _ => Ok(us),
        }
    }));
    if let (Some(f), Some(u)) = (from, until) {
        if f >= u {
            let at = obj.optional("until").unwrap_or_else(|| r.clone());
            errors.push(at.error_expected(
                format!(
                    "the phase ends ({}) before it starts ({})",
                    duration(u),
                    duration(f)
                ),
                "`until` later than `from`",
            ));
        }
    }
    let faults = super::fields::opt(&obj, "faults", &mut errors, true, Reader::expect_bool);
    match (name, from, until, faults) {
        (Some(name), Some(from_us), Some(until_us), Some(faults)) => errors.into_result(Phase {
            name: name.to_string(),
            from_us,
            until_us,
            faults,
        }),
        _ => Err(failed(errors, r)),
    }
}

/// Reads `"swarm"`: each bound names a random fault by index, once, with
/// `0 < min <= max`. `faults` is `None` when the faults did not load.
pub(super) fn read_swarm(
    top: &ObjectReader<'_>,
    faults: Option<&[FaultSpec]>,
    errors: &mut Errors,
) -> Option<Vec<SwarmBound>> {
    let Some(r) = top.optional("swarm") else {
        return Some(Vec::new());
    };
    let items = errors.check(r.expect_array())?;
    let mut seen: BTreeMap<usize, Span> = BTreeMap::new();
    let mut out = Vec::new();
    let mut ok = true;
    for item in items.iter() {
        match errors.check(read_bound(&item, faults, &mut seen)) {
            Some(b) => out.push(b),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn read_bound<'a>(
    r: &Reader<'a>,
    faults: Option<&[FaultSpec]>,
    seen: &mut BTreeMap<usize, Span>,
) -> Result<SwarmBound, LoadError> {
    let obj = r.expect_object()?;
    let mut errors = Errors::new();
    errors.check(check_fields(&obj, SWARM_FIELDS, "a swarm bound", &[]));
    let index = errors.check(obj.required("fault").and_then(|f| {
        let i = f.expect_size(u64::from(u32::MAX))? as usize;
        if let Some(faults) = faults {
            match faults.get(i) {
                None => {
                    return Err(f.error_expected(
                        format!("there is no fault {i}"),
                        match faults.len() {
                            0 => "no swarm bounds: the scenario has no faults".to_string(),
                            n => format!("the index of a random fault in `faults`, 0 to {}", n - 1),
                        },
                    ))
                }
                Some(FaultSpec::Scheduled { .. }) => {
                    return Err(f.error_expected(
                        format!("fault {i} is a scheduled fault"),
                        "the index of a random fault: swarm draws the rate of random faults",
                    ))
                }
                Some(FaultSpec::Random { .. }) => {}
            }
        }
        if let Some(at) = seen.get(&i) {
            return Err(f.error_expected(
                format!("fault {i} already has a swarm bound (at {at})"),
                "one bound per fault",
            ));
        }
        seen.insert(i, f.span());
        Ok(i)
    }));
    let mtbf = errors.check(obj.required("mtbf").and_then(|m| read_mtbf_range(&m)));
    match (index, mtbf) {
        (Some(fault_index), Some((min_mtbf_us, max_mtbf_us))) => errors.into_result(SwarmBound {
            fault_index,
            min_mtbf_us,
            max_mtbf_us,
        }),
        _ => Err(failed(errors, r)),
    }
}

fn read_mtbf_range(r: &Reader<'_>) -> Result<(u64, u64), LoadError> {
    let items = r.expect_array()?;
    let (Some(min), Some(max), 2) = (items.get(0), items.get(1), items.len()) else {
        return Err(r.error_expected(
            format!("{} elements", items.len()),
            "`[min, max]`: two durations",
        ));
    };
    let min_us = positive_duration_us(&min)?;
    let max_us = positive_duration_us(&max)?;
    if min_us > max_us {
        return Err(r.error_expected(
            format!(
                "the range is empty: {} > {}",
                duration(min_us),
                duration(max_us)
            ),
            "`[min, max]` with min <= max",
        ));
    }
    Ok((min_us, max_us))
}
