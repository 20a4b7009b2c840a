# task: how Task.async / await / yield / shutdown and Task.async_stream behave
# (TASK-1 to TASK-6, TASK-8). Run with: elixir task.exs (see README.md).
Code.require_file("probe_helpers.exs", __DIR__)
:logger.set_primary_config(:level, :none)

Probe.start()

# TASK-1: the struct and the reply.
t = Task.async(fn -> receive do :go -> :one end end)
Probe.fact("async.mfa", t.mfa)
Probe.fact("async.owner_is_self", t.owner == self())
Probe.fact("async.linked", t.pid in elem(Process.info(self(), :links), 1))
Probe.fact("async.monitored", elem(Process.info(t.pid, :monitored_by), 1) == [self()])
send(t.pid, :go)
Probe.fact("async.await", Task.await(t))
Process.sleep(10)
Probe.fact("async.task_alive_after_reply", Process.alive?(t.pid))

# TASK-2: DOWN first (trapping caller), timeout (caught), and the owner check.
reason = Probe.observe(fn ->
  Process.flag(:trap_exit, true)
  t = Task.async(fn -> exit(:boom) end)
  Probe.name(t.pid, :task_pid)
  r = try do Task.await(t) catch :exit, r -> r end
  Probe.fact("await.down.exit", r)
  Probe.fact("await.down.mailbox", Probe.drain(10))
end)
Probe.fact("await.down.caller_reason", reason)

Probe.observe(fn ->
  t = Task.async(fn -> Process.sleep(200); :late end)
  Probe.name(t.pid, :task_pid)
  r = try do Task.await(t, 50) catch :exit, r -> r end
  Probe.fact("await.timeout.exit", r)
  Probe.fact("await.timeout.task_alive", Process.alive?(t.pid))
  # TASK-3: the late reply is dropped; only the task's normal EXIT... if trapping.
  Process.sleep(300)
  Probe.fact("await.timeout.mailbox_after_late_reply", Probe.drain(0))
end)

# TASK-2: an uncaught await timeout kills the caller, and the link takes the task
# down with the same reason.
parent = self()
reason = Probe.observe(fn ->
  t = Task.async(fn -> Process.sleep(500); :late end)
  spawn(fn ->
    mref = Process.monitor(t.pid)
    receive do {:DOWN, ^mref, _, _, r} -> send(parent, {:task_reason, r}) end
  end)
  Task.await(t, 50)
end)
Probe.fact("await.uncaught_timeout.caller_reason", reason)
receive do
  {:task_reason, r} -> Probe.fact("await.uncaught_timeout.task_reason", r)
end

Probe.observe(fn ->
  t = Task.async(fn -> :x end)
  me = self()
  spawn(fn ->
    r = try do {:returned, Task.await(t)} rescue e -> {:raised, e} end
    send(me, {:other, r})
    r2 = try do {:returned, Task.yield(t, 10)} rescue e -> {:raised, e} end
    send(me, {:other, r2})
  end)
  receive do {:other, r} -> Probe.fact("await.not_owner", r) end
  receive do {:other, r} -> Probe.fact("yield.not_owner", r) end
end)

# TASK-4: a crash kills a non-trapping caller through the link.
reason = Probe.observe(fn ->
  t = Task.async(fn -> exit(:boom) end)
  Process.sleep(100)
  Task.await(t)
end)
Probe.fact("crash.nontrapping.caller_reason", reason)

Probe.observe(fn ->
  Process.flag(:trap_exit, true)
  t = Task.async(fn -> exit(:boom) end)
  Probe.name(t.pid, :task_pid)
  Process.sleep(50)
  Probe.fact("crash.trapping.mailbox_before_await", Process.info(self(), :messages) |> elem(1))
  r = try do Task.await(t) catch :exit, r -> r end
  Probe.fact("crash.trapping.await", r)
end)

# TASK-5: yield.
Probe.observe(fn ->
  t = Task.async(fn -> Process.sleep(100); :done end)
  Probe.fact("yield.first", Task.yield(t, 20))
  Probe.fact("yield.second", Task.yield(t, 200))
  Process.flag(:trap_exit, true)
  t = Task.async(fn -> exit(:boom) end)
  Probe.fact("yield.exit", Task.yield(t, 200))
end)

# TASK-6: shutdown.
Probe.observe(fn ->
  Process.flag(:trap_exit, true)
  t = Task.async(fn -> :done end)
  Probe.name(t.pid, :task_pid)
  Process.sleep(20)
  Probe.fact("shutdown.reply_queued", Task.shutdown(t))
  Probe.fact("shutdown.reply_queued.mailbox", Probe.drain(0))

  t = Task.async(fn -> Process.sleep(1000) end)
  Probe.name(t.pid, :task_pid)
  Probe.fact("shutdown.running", Task.shutdown(t))
  Probe.fact("shutdown.running.mailbox", Probe.drain(0))
  Probe.fact("shutdown.running.linked", t.pid in elem(Process.info(self(), :links), 1))

  t = Task.async(fn -> Process.sleep(1000) end)
  Probe.name(t.pid, :task_pid)
  Probe.fact("shutdown.brutal_kill", Task.shutdown(t, :brutal_kill))
  Probe.fact("shutdown.brutal_kill.mailbox", Probe.drain(0))

  t = Task.async(fn -> exit(:boom) end)
  Probe.name(t.pid, :task_pid)
  Process.sleep(20)
  Probe.fact("shutdown.died_before", Task.shutdown(t))
  Probe.fact("shutdown.died_before.mailbox", Probe.drain(0))

  t = Task.async(fn -> Process.flag(:trap_exit, true); Process.sleep(1000) end)
  Probe.name(t.pid, :task_pid)
  Process.sleep(10)
  Probe.fact("shutdown.ignored_then_killed", Task.shutdown(t, 50))
  Probe.fact("shutdown.ignored_then_killed.mailbox", Probe.drain(0))

  t = Task.async(fn ->
    Process.flag(:trap_exit, true)
    receive do {:EXIT, _, :shutdown} -> :cleaned_up end
  end)
  Probe.name(t.pid, :task_pid)
  Process.sleep(10)
  Probe.fact("shutdown.trapping_task_replies", Task.shutdown(t, 50))
  Probe.fact("shutdown.trapping_task_replies.mailbox", Probe.drain(0))

  t = Task.async(fn -> Process.flag(:trap_exit, true); receive do {:EXIT, _, _} -> exit(:cleanup_failed) end end)
  Probe.name(t.pid, :task_pid)
  Process.sleep(10)
  Probe.fact("shutdown.trapping_task_exits_other", Task.shutdown(t, 50))
end)

# TASK-8: async_stream. Start order and output order with a sliding window.
Probe.observe(fn ->
  me = self()
  t0 = System.monotonic_time(:millisecond)
  # Start times rounded to 50 ms, to absorb scheduling jitter.
  at = fn -> div(System.monotonic_time(:millisecond) - t0 + 25, 50) * 50 end
  out = Task.async_stream([300, 100, 200, 50], fn ms ->
    send(me, {:started, ms, at.()}); Process.sleep(ms); ms end, max_concurrency: 2)
    |> Enum.to_list()
  Probe.fact("stream.ordered.results", out)
  Probe.fact("stream.ordered.start_times", for({:started, ms, t} <- Probe.drain(0), do: {ms, t}))
  out = Task.async_stream([300, 100, 200, 50], fn ms -> Process.sleep(ms); ms end,
    max_concurrency: 2, ordered: false) |> Enum.to_list()
  Probe.fact("stream.unordered.results", out)
  out = Task.async_stream([10, 300, 20], fn ms -> Process.sleep(ms); ms end,
    max_concurrency: 3, timeout: 100, on_timeout: :kill_task) |> Enum.to_list()
  Probe.fact("stream.kill_task.results", out)
  Probe.fact("stream.kill_task.mailbox", Probe.drain(50))
end)

reason = Probe.observe(fn ->
  Task.async_stream([10, 300], fn ms -> Process.sleep(ms); ms end, timeout: 100)
  |> Enum.to_list()
end)
Probe.fact("stream.on_timeout_exit.caller_reason", reason)

Probe.observe(fn ->
  Process.flag(:trap_exit, true)
  r = try do
    Task.async_stream([10, 300], fn ms -> Process.sleep(ms); ms end, timeout: 100)
    |> Enum.to_list()
  catch :exit, r -> {:exited, r} end
  Probe.fact("stream.on_timeout_exit.caught", r)
  Probe.fact("stream.on_timeout_exit.mailbox", Probe.drain(50))
end)

reason = Probe.observe(fn ->
  Task.async_stream([1, 2], fn
    2 -> exit(:boom)
    x -> Process.sleep(100); x end) |> Enum.to_list()
end)
Probe.fact("stream.crash.nontrapping.caller_reason", reason)

Probe.observe(fn ->
  Process.flag(:trap_exit, true)
  out = Task.async_stream([1, 2, 3], fn
    2 -> exit(:boom)
    x -> x end) |> Enum.to_list()
  Probe.fact("stream.crash.trapping.results", out)
  Probe.fact("stream.crash.trapping.mailbox", Probe.drain(50))
end)

Probe.observe(fn ->
  out = Task.async_stream(1..6, fn x -> x end, max_concurrency: 2) |> Enum.take(2)
  Probe.fact("stream.take.results", out)
end)
