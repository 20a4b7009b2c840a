# sys: system messages to a GenServer (Agent is one): suspend, change_code,
# resume, get_state, and how they meet the idle timeout (GS-9, GS-15).
# Run with: bash run.sh sys (see README.md).
Code.require_file("../task/probe_helpers.exs", __DIR__)
:logger.set_primary_config(:level, :none)
Probe.start()
Process.flag(:trap_exit, true)

defmodule Counter do
  use GenServer
  def init({n, timeout}), do: {:ok, n, timeout}
  def init(n), do: {:ok, n}
  def handle_call(:get, _from, n), do: {:reply, n, n}
  def handle_call(:slow, _from, n), do: (Process.sleep(200); {:reply, n, n})
  def handle_info(:timeout, n) do
    send(:probe_main, {:timeout_at, System.monotonic_time(:millisecond)})
    {:noreply, n}
  end
  def terminate(reason, _n), do: send(:probe_main, {:terminate, reason})
  def code_change(_old, n, :double), do: {:ok, n * 2}
  def code_change(_old, _n, :refuse), do: {:error, :nope}
  def code_change(_old, _n, :bare), do: :nope
  def code_change(_old, _n, :raise), do: raise("bad migration")
end
Process.register(self(), :probe_main)

{:ok, s} = GenServer.start_link(Counter, 21)
Probe.name(s, :server)
# change_code outside a suspension.
Probe.fact("change_code.not_suspended", :sys.change_code(s, Counter, :v1, :double))
Probe.fact("change_code.not_suspended.state", :sys.get_state(s))
Probe.fact("suspend", :sys.suspend(s))
Probe.fact("suspend.twice", :sys.suspend(s))
reason = Probe.observe(fn -> GenServer.call(s, :get, 50) end)
Probe.fact("suspended.call.caller_reason", reason)
Probe.fact("suspended.get_state", :sys.get_state(s))
Probe.fact("change_code.ok", :sys.change_code(s, Counter, :v1, :double))
Probe.fact("change_code.ok.state", :sys.get_state(s))
Probe.fact("change_code.error_tuple", :sys.change_code(s, Counter, :v1, :refuse))
Probe.fact("change_code.bare", :sys.change_code(s, Counter, :v1, :bare))
Probe.fact("change_code.raise",
  case :sys.change_code(s, Counter, :v1, :raise) do
    {:error, {:EXIT, {e, stack}}} -> {:error, {:EXIT, {e, is_list(stack)}}}
    other -> other
  end)
Probe.fact("change_code.failed.state", :sys.get_state(s))
Probe.fact("change_code.failed.alive", Process.alive?(s))
# A call sent while suspended waits and is answered after resume.
me = self()
spawn(fn -> send(me, {:queued_call, GenServer.call(s, :get)}) end)
Process.sleep(20)
Probe.fact("resume", :sys.resume(s))
receive do {:queued_call, r} -> Probe.fact("resume.queued_call", r) end
Probe.fact("resume.twice", :sys.resume(s))
Probe.fact("unknown", :gen.call(s, :system, :foo))

# The parent's EXIT ends a suspended, trapping server (terminate runs).
parent_reason = Probe.observe(fn ->
  {:ok, t} = GenServer.start_link(Counter, 1)
  :sys.suspend(t)
  :sys.replace_state(t, fn n -> Process.flag(:trap_exit, true); n end)
  exit(:parent_gone)
end)
Probe.fact("suspended.parent_exit.parent_reason", parent_reason)
receive do {:terminate, r} -> Probe.fact("suspended.parent_exit.terminate", r) after 100 -> Probe.fact("suspended.parent_exit.terminate", :none) end

# stop while suspended.
{:ok, u} = GenServer.start_link(Counter, 1)
:sys.suspend(u)
Probe.fact("suspended.stop", GenServer.stop(u, :enough))
receive do {:terminate, r} -> Probe.fact("suspended.stop.terminate", r) after 100 -> :ok end
Probe.drain(10)

# GS-9: a system message restarts the idle timeout for the full T.
t0 = System.monotonic_time(:millisecond)
{:ok, v} = GenServer.start_link(Counter, {1, 200})
Probe.name(v, :server)
Process.sleep(150)
:sys.get_state(v)
receive do
  {:timeout_at, t} -> Probe.fact("idle_timeout.fired_at", div(t - t0 + 25, 50) * 50)
end

# Failures of the sys calls themselves.
dead = spawn(fn -> :ok end)
Process.sleep(10)
Probe.name(dead, :dead)
for {f, args} <- [suspend: [dead], resume: [dead], get_state: [dead],
                  change_code: [dead, Counter, :v1, :double], suspend: [dead, 50],
                  resume: [dead, 50], get_state: [dead, 50],
                  change_code: [dead, Counter, :v1, :double, 50]] do
  reason = Probe.observe(fn -> apply(:sys, f, args) end)
  Probe.fact("dead.#{f}/#{length(args)}", reason)
end
reason = Probe.observe(fn -> :sys.suspend(:nobody) end)
Probe.fact("unregistered.suspend", reason)
spawn(fn -> GenServer.call(v, :slow) end)
Process.sleep(10)
reason = Probe.observe(fn -> :sys.suspend(v, 50) end)
Probe.fact("busy.suspend/2", reason)
