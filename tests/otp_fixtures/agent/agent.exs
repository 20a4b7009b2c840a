# agent: how Agent starts, answers, times out and stops (AGENT-1 to AGENT-3).
# Run with: bash run.sh agent (see README.md).
Code.require_file("../task/probe_helpers.exs", __DIR__)
:logger.set_primary_config(:level, :none)
Probe.start()
Process.flag(:trap_exit, true)

# AGENT-1: the fun runs inside the agent process; failures reach the caller.
me = self()
{:ok, a} = Agent.start_link(fn -> send(me, {:init_in, self()}); 1 end)
Probe.name(a, :agent)
receive do {:init_in, p} -> Probe.fact("start.fun_ran_in", p) end
Probe.fact("start.raise",
  case Agent.start_link(fn -> raise "boom" end) do
    {:error, {e, stack}} -> {:error, {e, is_list(stack)}}
    other -> other
  end)
Probe.fact("start.raise.exit_msg",
  case Probe.drain(10) do
    [{:EXIT, _, {e, stack}}] -> {:EXIT, {e, is_list(stack)}}
    other -> other
  end)
Probe.fact("start.exit", Agent.start_link(fn -> exit(:bad) end))
Probe.fact("start.exit.mailbox", Probe.drain(10))
{:ok, n} = Agent.start_link(fn -> 0 end, name: :named_agent)
Probe.name(n, :named_agent)
Probe.fact("start.name_taken", Agent.start_link(fn -> 0 end, name: :named_agent))
Probe.fact("start.name_taken.mailbox", Probe.drain(10))

# AGENT-2: requests in arrival order; get, update, get_and_update, cast.
Agent.cast(a, fn s -> s * 10 end)
Probe.fact("ops.update", Agent.update(a, fn s -> s + 1 end))
Probe.fact("ops.get", Agent.get(a, fn s -> s end))
Probe.fact("ops.get_and_update", Agent.get_and_update(a, fn s -> {s, s * 2} end))
Probe.fact("ops.get_after", Agent.get(a, & &1))
Probe.fact("ops.cast", Agent.cast(a, fn s -> s + 1 end))
Probe.fact("ops.get_after_cast", Agent.get(a, & &1))

# AGENT-2: a timeout exits the caller with a reason naming GenServer.
reason = Probe.observe(fn -> Agent.get(a, fn s -> Process.sleep(200); s end, 50) end)
Probe.fact("timeout.caller_reason", reason)
Process.sleep(200)
reason = Probe.observe(fn -> Agent.update(a, fn s -> Process.sleep(200); s end, 50) end)
Probe.fact("timeout.update.caller_reason", reason)
Process.sleep(200)

# A crash inside the fun crashes the agent; the caller exits with the agent's reason.
{:ok, c} = Agent.start_link(fn -> 0 end)
Probe.name(c, :crashing)
reason = Probe.observe(fn -> Agent.get(c, fn _ -> exit(:oops) end) end)
Probe.fact("crash.caller_reason", reason)
Probe.fact("crash.agent_exit", Probe.drain(10))

# AGENT-3: stop.
Probe.fact("stop.ok", Agent.stop(a))
Probe.fact("stop.mailbox", Probe.drain(10))
reason = Probe.observe(fn -> Agent.stop(a) end)
Probe.fact("stop.dead.caller_reason", reason)
reason = Probe.observe(fn -> Agent.get(a, & &1) end)
Probe.fact("get.dead.caller_reason", reason)
Probe.fact("stop.reason", Agent.stop(n, :shutdown))
Probe.fact("stop.reason.mailbox", Probe.drain(10))
Probe.fact("child_spec", Agent.child_spec(fn -> 0 end) |> Map.delete(:start) |> Map.to_list() |> Enum.sort())
