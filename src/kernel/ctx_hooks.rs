//! The `Ctx` calls fault injection is built on: finding a process by its label (its
//! tree path) or the processes whose labels fit a test, suspending and resuming it,
//! and faulting the messages sent to it.
//! See [`super::hooks`] for how they cost the hot path nothing measurable.

use super::hooks::InboundFault;
use super::Ctx;
use crate::term::{Pid, Term};

impl Ctx {
    /// The label `pid` was spawned with (a tree path such as `root/db`), while it is
    /// alive; `None` for a dead or unlabelled process.
    pub fn label_of(&self, pid: Pid) -> Option<String> {
        self.kernel.borrow().label_of(pid).map(str::to_string)
    }

    /// The live process labelled `label`; when several are (a restarted child whose
    /// predecessor has not finished dying), the newest.
    pub fn find_by_label(&self, label: &str) -> Option<Pid> {
        self.kernel.borrow_mut().find_by_label(label)
    }

    /// The live processes whose label `wanted` accepts, with their labels, in pid
    /// order. A scan of every live process, for occasional looks (the fault injector's
    /// pool of children started at run time).
    pub fn labelled_pids(&self, mut wanted: impl FnMut(&str) -> bool) -> Vec<(Pid, String)> {
        let kernel = self.kernel.borrow();
        kernel
            .live_pids()
            .into_iter()
            .filter_map(|pid| {
                let label = kernel.label_of(pid)?;
                wanted(label).then(|| (pid, label.to_string()))
            })
            .collect()
    }

    /// `erlang:suspend_process(Pid)`: the scheduler stops running `pid` until this
    /// process resumes it as many times as it suspended it, or dies. Meanwhile
    /// messages wait in its mailbox and its timers still fire, and exit signals still
    /// act: `kill`, or any abnormal reason to a process that does not trap exits, ends
    /// it; a trapping one gets its `EXIT` message when it runs again (probe
    /// `tests/otp_fixtures/kernel/fault_hooks/suspend_process`).
    /// `Err(badarg)` for the caller itself or a dead process, as in OTP.
    pub fn suspend_process(&self, pid: Pid) -> Result<(), Term> {
        self.kernel.borrow_mut().suspend(self.me, pid)
    }

    /// `erlang:resume_process(Pid)`: undoes one of this process's suspensions of
    /// `pid`; it runs again once none is left. `Err(badarg)` when this process has not
    /// suspended it (or it is dead).
    pub fn resume_process(&self, pid: Pid) -> Result<(), Term> {
        self.kernel.borrow_mut().resume(self.me, pid)
    }

    /// Until virtual time `until_us`, the ordinary messages sent to `pid` are dropped
    /// or delayed as `fault` says (see [`InboundFault`] for which messages). Replaces
    /// any fault `pid` had. Per-sender order always holds: a message is never put in
    /// the mailbox before an earlier one from the same sender, also after the window
    /// ends. Nothing happens for a dead process.
    pub fn set_inbound_fault(&self, pid: Pid, fault: InboundFault, until_us: u64) {
        self.kernel
            .borrow_mut()
            .set_inbound_fault(pid, fault, until_us);
    }
}
