# task_sup_shutdown: what stopping a Task.Supervisor does to its tasks (TASK-7,
# DSUP-6). Run with: bash run.sh task_sup_shutdown (see README.md). Each task's
# exit reason is read from its own monitor, so no order between tasks is printed.
Code.require_file("probe_helpers.exs", __DIR__)
:logger.set_primary_config(:level, :none)
Probe.start()

# start_child tasks with each shutdown, and an async_nolink task, under a
# supervisor stopped with Supervisor.stop/1 by its trapping owner.
Probe.observe(fn ->
  Process.flag(:trap_exit, true)
  {:ok, sup} = Task.Supervisor.start_link()
  Probe.name(sup, :sup)
  forever = fn -> Process.sleep(:infinity) end
  trapping = fn -> Process.flag(:trap_exit, true); Process.sleep(:infinity) end
  {:ok, plain} = Task.Supervisor.start_child(sup, forever)
  {:ok, stubborn} = Task.Supervisor.start_child(sup, trapping, shutdown: 200)
  {:ok, brutal} = Task.Supervisor.start_child(sup, trapping, shutdown: :brutal_kill)
  {:ok, tidy} =
    Task.Supervisor.start_child(sup, fn ->
      Process.flag(:trap_exit, true)
      receive do
        {:EXIT, _, r} -> Process.sleep(50); exit(r)
      end
    end)
  nolink = Task.Supervisor.async_nolink(sup, forever)
  tasks = [plain: plain, stubborn: stubborn, brutal: brutal, tidy: tidy, nolink: nolink.pid]
  refs = for {n, p} <- tasks, do: {n, Process.monitor(p)}
  t0 = System.monotonic_time(:millisecond)
  Probe.fact("stop.returned", Supervisor.stop(sup))
  # Rounded down to 100 ms: the stop lasts as long as the slowest task (200 ms).
  Probe.fact("stop.ms", div(System.monotonic_time(:millisecond) - t0, 100) * 100)
  for {n, ref} <- refs do
    reason = receive do {:DOWN, ^ref, :process, _, r} -> r after 1000 -> :alive end
    Probe.fact("stop.#{n}.reason", reason)
  end
  Probe.fact("stop.nolink.yield", Task.yield(nolink, 0))
  Probe.fact("stop.owner_mailbox", Probe.drain(20))
end)

# Task.Supervisor.async: the task is linked to its owner too. Another process
# stops the supervisor while the owner awaits.
for trap <- [false, true] do
  key = if trap, do: "async.trapping_owner", else: "async.owner"
  reason = Probe.observe(fn ->
    Process.flag(:trap_exit, trap)
    # Unlinked from the owner, so the only EXIT it can get is the task's.
    {:ok, sup} = Task.Supervisor.start_link()
    Process.unlink(sup)
    t = Task.Supervisor.async(sup, fn -> Process.sleep(:infinity) end)
    spawn(fn -> Process.sleep(20); Supervisor.stop(sup) end)
    r = try do Task.await(t, 1000) catch :exit, r -> {:caught, r} end
    Probe.fact("#{key}.await", r)
    Probe.fact("#{key}.mailbox", Probe.drain(20))
    exit(:end_of_body)
  end)
  Probe.fact("#{key}.reason", reason)
end
