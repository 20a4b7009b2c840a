# via.exs: GenServer names through the Registry, REG-9 ({:via, Registry, {N, key}}).
Code.require_file("probe.exs", __DIR__)

defmodule Srv do
  use GenServer
  def init(:stop), do: {:stop, :bad_init}
  def init(:ignore), do: :ignore
  def init(arg), do: {:ok, arg}
  def handle_call(:ping, _from, s), do: {:reply, :pong, s}
  def handle_cast({:note, to}, s), do: (send(to, {:cast_seen, self()}); {:noreply, s})
end

Probe.name(self(), :main)
{:ok, sup} = Registry.start_link(keys: :unique, name: :reg_v)
Probe.name(sup, :sup)
{:ok, dsup} = Registry.start_link(keys: :duplicate, name: :reg_vd)
Probe.name(dsup, :dsup)
via = fn key -> {:via, Registry, {:reg_v, key}} end

{:ok, s1} = GenServer.start_link(Srv, :ok, name: via.(:s1))
Probe.name(s1, :s1)
Probe.fact("reg9.start", {:ok, s1})
Probe.fact("reg9.lookup", Registry.lookup(:reg_v, :s1))
Probe.fact("reg9.whereis", GenServer.whereis(via.(:s1)))
Probe.fact("reg9.call", GenServer.call(via.(:s1), :ping))
Probe.fact("reg9.cast", GenServer.cast(via.(:s1), {:note, self()}))
Probe.fact("reg9.cast_seen", Probe.drain(100))
Probe.fact("reg9.send", Registry.send({:reg_v, :s1}, :hello))

{:ok, s2} = GenServer.start_link(Srv, :ok, name: {:via, Registry, {:reg_v, :s2, :val}})
Probe.name(s2, :s2)
Probe.fact("reg9.start_with_value.lookup", Registry.lookup(:reg_v, :s2))
Probe.fact("reg9.call_with_value_name", GenServer.call({:via, Registry, {:reg_v, :s2, :other}}, :ping))

Probe.fact("reg9.start_taken", GenServer.start_link(Srv, :ok, name: via.(:s1)))
Probe.fact("reg9.start_taken_nolink", GenServer.start(Srv, :ok, name: via.(:s1)))
Probe.fact("reg9.call_missing", Probe.try_(fn -> GenServer.call(via.(:missing), :ping) end))
Probe.fact("reg9.call_missing_timeout",
  Probe.try_(fn -> GenServer.call(via.(:missing), :ping, 1000) end))
Probe.fact("reg9.erlang_call_missing",
  Probe.try_(fn -> :gen_server.call(via.(:missing), :ping) end))
Probe.fact("reg9.erlang_call_missing_timeout",
  Probe.try_(fn -> :gen_server.call(via.(:missing), :ping, 1000) end))
Probe.fact("reg9.cast_missing", GenServer.cast(via.(:missing), :hi))
Probe.fact("reg9.send_missing", Probe.try_(fn -> Registry.send({:reg_v, :missing}, :hi) end))
Probe.fact("reg9.whereis_missing", GenServer.whereis(via.(:missing)))
Probe.fact("reg9.stop_missing", Probe.try_(fn -> GenServer.stop(via.(:missing)) end))

# init failures give the name back before the starter returns.
Probe.fact("reg9.init_stop", Probe.try_(fn ->
  Process.flag(:trap_exit, true)
  GenServer.start_link(Srv, :stop, name: via.(:s3))
end))
Probe.drain(50)
Probe.fact("reg9.init_stop.lookup_at_once",
  Probe.in_proc(fn ->
    {:error, _} = GenServer.start(Srv, :stop, name: via.(:s4))
    Registry.lookup(:reg_v, :s4)
  end))
Probe.fact("reg9.init_ignore.lookup_at_once",
  Probe.in_proc(fn ->
    :ignore = GenServer.start(Srv, :ignore, name: via.(:s5))
    Registry.lookup(:reg_v, :s5)
  end))

# A stopped server: whereis checks liveness at once.
{:ok, s6} = GenServer.start(Srv, :ok, name: via.(:s6))
Probe.name(s6, :s6)
:ok = GenServer.stop(s6)
Probe.fact("reg9.after_stop.whereis", GenServer.whereis(via.(:s6)))
Probe.fact("reg9.after_stop.call", Probe.try_(fn -> GenServer.call(via.(:s6), :ping) end))

# Duplicate registries and unknown registries.
Probe.fact("reg9.duplicate.start",
  Probe.in_proc(fn -> Probe.try_(fn -> GenServer.start(Srv, :ok, name: {:via, Registry, {:reg_vd, :d}}) end) end))
Probe.fact("reg9.duplicate.lookup", Registry.lookup(:reg_vd, :d))
Probe.fact("reg9.duplicate.whereis",
  Probe.try_(fn -> GenServer.whereis({:via, Registry, {:reg_vd, :d}}) end))
Probe.fact("reg9.duplicate.call",
  Probe.try_(fn -> GenServer.call({:via, Registry, {:reg_vd, :d}}, :ping) end))
Probe.fact("reg9.duplicate.cast",
  Probe.try_(fn -> GenServer.cast({:via, Registry, {:reg_vd, :d}}, :hi) end))
Probe.fact("reg9.unknown.start",
  Probe.in_proc(fn -> Probe.try_(fn -> GenServer.start(Srv, :ok, name: {:via, Registry, {:no_reg, :d}}) end) end))
Probe.fact("reg9.unknown.call",
  Probe.try_(fn -> GenServer.call({:via, Registry, {:no_reg, :d}}, :ping) end))

# NAME-4 for gen.erl as a whole: the starter looks the name up first, so a taken
# name spawns no process and a trapping, linked starter gets no EXIT.
Probe.fact("name4.via_taken.exit_msgs", Probe.in_proc(fn ->
  Process.flag(:trap_exit, true)
  {:error, {:already_started, _}} = GenServer.start_link(Srv, :ok, name: via.(:s1))
  Probe.drain(100)
end))
{:ok, l1} = GenServer.start_link(Srv, :ok, name: :local_l1)
Probe.name(l1, :l1)
Probe.fact("name4.local_taken.exit_msgs", Probe.in_proc(fn ->
  Process.flag(:trap_exit, true)
  {:error, {:already_started, _}} = GenServer.start_link(Srv, :ok, name: :local_l1)
  Probe.drain(100)
end))
