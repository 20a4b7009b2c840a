# task_supervisor: Task.Supervisor's defaults and its three ways to start a task
# (TASK-7). Run with: bash run.sh task_supervisor (see README.md).
Code.require_file("probe_helpers.exs", __DIR__)
:logger.set_primary_config(:level, :none)
Probe.start()

Probe.observe(fn ->
  {:ok, sup} = Task.Supervisor.start_link()
  Probe.name(sup, :sup)
  # Defaults: a temporary child; a crash leaves nothing behind.
  {:ok, pid} = Task.Supervisor.start_child(sup, fn -> receive do :go -> exit(:boom) end end)
  Probe.name(pid, :child)
  Probe.fact("start_child.children", Task.Supervisor.children(sup))
  Probe.fact("start_child.linked_to_caller", pid in elem(Process.info(self(), :links), 1))
  Probe.fact("start_child.linked_to_sup", pid in elem(Process.info(sup, :links), 1))
  send(pid, :go)
  Process.sleep(20)
  Probe.fact("start_child.after_crash.children", Task.Supervisor.children(sup))
  {:ok, _} = Task.Supervisor.start_child(sup, fn -> :ok end)
  Process.sleep(20)
  Probe.fact("start_child.after_normal.children", Task.Supervisor.children(sup))
  Probe.fact("count_children", Task.Supervisor.children(sup) |> length())
  Probe.fact("sup_alive", Process.alive?(sup))
end)

# A transient task that keeps crashing: restarts until the intensity limit (3 in
# 5 s), then the supervisor exits shutdown and takes a non-trapping owner with it.
me = self()
reason = Probe.observe(fn ->
  {:ok, sup} = Task.Supervisor.start_link()
  send(me, {:sup, sup})
  {:ok, _} = Task.Supervisor.start_child(sup, fn -> send(me, :run); exit(:boom) end, restart: :transient)
  Process.sleep(500)
  :not_reached
end)
Probe.fact("transient.owner_reason", reason)
sup = receive do {:sup, s} -> s end
Probe.fact("transient.runs", length(for :run <- Probe.drain(50), do: :run))
Probe.fact("transient.sup_alive", Process.alive?(sup))

# async_nolink: linked to the supervisor only, monitored by the caller.
Probe.observe(fn ->
  {:ok, sup} = Task.Supervisor.start_link()
  Probe.name(sup, :sup)
  t = Task.Supervisor.async_nolink(sup, fn -> receive do :go -> exit(:boom) end end)
  Probe.name(t.pid, :task_pid)
  Probe.fact("async_nolink.owner", t.owner == self())
  Probe.fact("async_nolink.linked_to_caller", t.pid in elem(Process.info(self(), :links), 1))
  Probe.fact("async_nolink.linked_to_sup", t.pid in elem(Process.info(sup, :links), 1))
  send(t.pid, :go)
  Probe.fact("async_nolink.yield", Task.yield(t, 100))
  t = Task.Supervisor.async_nolink(sup, fn -> exit(:boom) end)
  r = try do Task.await(t) catch :exit, r -> r end
  Probe.fact("async_nolink.await", r)
  t = Task.Supervisor.async_nolink(sup, fn -> :fine end)
  Probe.fact("async_nolink.await_ok", Task.await(t))
  Probe.fact("async_nolink.mailbox", Probe.drain(20))
end)

# async: linked to both the caller and the supervisor.
reason = Probe.observe(fn ->
  {:ok, sup} = Task.Supervisor.start_link()
  t = Task.Supervisor.async(sup, fn -> receive do :go -> exit(:boom) end end)
  send(me, {:links, t.pid in elem(Process.info(self(), :links), 1),
    t.pid in elem(Process.info(sup, :links), 1)})
  send(t.pid, :go)
  Process.sleep(100)
  :not_reached
end)
receive do
  {:links, caller, sup} ->
    Probe.fact("async.linked_to_caller", caller)
    Probe.fact("async.linked_to_sup", sup)
end
Probe.fact("async.crash.owner_reason", reason)
