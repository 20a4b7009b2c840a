# agent_timeout: what a timed-out Agent request leaves behind (AGENT-2, GS-7).
# Run with: bash run.sh agent_timeout (see README.md). The request is already in the
# agent's mailbox when the caller gives up, so the agent still runs it: a timed-out
# update changes the state, and its late reply is dropped.
Code.require_file("../task/probe_helpers.exs", __DIR__)
:logger.set_primary_config(:level, :none)
Probe.start()

Probe.observe(fn ->
  {:ok, a} = Agent.start_link(fn -> 0 end)
  Probe.name(a, :agent)
  # Busy for 200 ms, so the requests below wait in the mailbox.
  Agent.cast(a, fn s -> Process.sleep(200); s end)
  r = try do Agent.update(a, fn s -> s + 1 end, 50) catch :exit, r -> {:caught, r} end
  Probe.fact("update.caught", r)
  r = try do Agent.get_and_update(a, fn s -> {s, s + 10} end, 50) catch :exit, r -> {:caught, r} end
  Probe.fact("get_and_update.caught", r)
  Probe.fact("then.get", Agent.get(a, & &1))
  Probe.fact("then.mailbox", Probe.drain(50))
end)
