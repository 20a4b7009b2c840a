# dsup_probe: facts about Elixir's DynamicSupervisor (Elixir 1.14 on OTP 25) that
# otpsim's dynamic supervisor must match. Output: key=value lines, values in Erlang
# term syntax. Run: elixir dsup_probe.exs
:ok = :logger.set_primary_config(:level, :none)

defmodule Probe do
  def fact(key, value), do: IO.puts([key, "=", :io_lib.format(~c"~0p", [value])])

  def events(wait_ms) do
    receive do
      {:ev, e} -> [e | events(wait_ms)]
    after
      wait_ms -> []
    end
  end

  def flush, do: events(0)
end

defmodule Child do
  use GenServer, restart: :permanent

  # extra arguments come first; the plan for this start is popped from an Agent.
  def start_link(a, b, name), do: start_link([a, b, name])

  def start_link(args) when is_list(args) do
    GenServer.start_link(__MODULE__, args)
  end

  def start_link(name), do: GenServer.start_link(__MODULE__, [name])

  @impl true
  def init(args) do
    Process.flag(:trap_exit, true)
    name = List.last(args)
    send(:probe, {:ev, {:init, args}})

    case Agent.get_and_update(:plans, fn m -> pop(m, name) end) do
      :ok -> {:ok, name}
      :ignore -> :ignore
      {:slow_terminate, ms} -> {:ok, {name, ms}}
      {:slow_fail, ms} -> Process.sleep(ms); {:stop, :no_db}
      {:stop, r} -> {:stop, r}
    end
  end

  defp pop(m, name) do
    case Map.get(m, name, []) do
      [p | rest] -> {p, Map.put(m, name, rest)}
      [] -> {:ok, m}
    end
  end

  @impl true
  def handle_cast({:stop, r}, s), do: {:stop, r, s}

  @impl true
  def terminate(r, {name, ms}) do
    send(:probe, {:ev, {:terminate, name, r}})
    Process.sleep(ms)
  end

  def terminate(r, name), do: send(:probe, {:ev, {:terminate, name, r}})
end

Process.register(self(), :probe)
Process.flag(:trap_exit, true)

setup = fn plans ->
  if Process.whereis(:plans), do: Agent.stop(:plans)
  {:ok, _} = Agent.start(fn -> plans end, name: :plans)
  Probe.flush()
end

spec = fn name, opts ->
  Supervisor.child_spec({Child, name}, Keyword.merge([id: name], opts))
end

short = fn sup ->
  for {id, p, _, _} <- DynamicSupervisor.which_children(sup),
      do: {id, if(is_pid(p), do: :pid, else: p)}
end

stop = fn sup ->
  Process.unlink(sup)
  DynamicSupervisor.stop(sup)
  Probe.flush()
end

# DSUP-2: extra arguments first; ignore stores nothing; an error stores nothing.
setup.(%{i: [:ignore], s: [{:stop, :no_db}]})
{:ok, sup} = DynamicSupervisor.start_link(strategy: :one_for_one, extra_arguments: [:pool, 1])
{:ok, _} = DynamicSupervisor.start_child(sup, spec.(:e, start: {Child, :start_link, [:e]}))
Probe.fact("extra_args.init", Probe.events(20))
Probe.fact("start_child.ignore", DynamicSupervisor.start_child(sup, spec.(:i, start: {Child, :start_link, [:i]})))
Probe.fact("start_child.error", DynamicSupervisor.start_child(sup, spec.(:s, start: {Child, :start_link, [:s]})))
Probe.fact("start_child.count", DynamicSupervisor.count_children(sup) |> Map.to_list() |> Enum.sort())
stop.(sup)

# DSUP-5: a transient child exiting normal is deleted; a restart returning ignore removes.
setup.(%{g: [:ok, :ignore]})
{:ok, sup} = DynamicSupervisor.start_link(strategy: :one_for_one)
{:ok, t} = DynamicSupervisor.start_child(sup, spec.(:t, restart: :transient))
{:ok, g} = DynamicSupervisor.start_child(sup, spec.(:g, []))
GenServer.cast(t, {:stop, :normal})
GenServer.cast(g, {:stop, :boom})
Process.sleep(20)
Probe.fact("transient_normal_and_restart_ignore.which", short.(sup))
stop.(sup)

# DSUP-4: terminate_child twice.
setup.(%{})
{:ok, sup} = DynamicSupervisor.start_link(strategy: :one_for_one)
{:ok, w} = DynamicSupervisor.start_child(sup, spec.(:w, []))
r1 = DynamicSupervisor.terminate_child(sup, w)
r2 = DynamicSupervisor.terminate_child(sup, w)
Probe.fact("terminate_twice", [r1, r2])
Probe.fact("terminate_twice.events", Probe.events(20))
stop.(sup)

# DSUP-2/3: max_children counts a restarting child.
setup.(%{f: [:ok, {:slow_fail, 100}]})
{:ok, sup} = DynamicSupervisor.start_link(strategy: :one_for_one, max_children: 2)
{:ok, f} = DynamicSupervisor.start_child(sup, spec.(:f, []))
{:ok, _} = DynamicSupervisor.start_child(sup, spec.(:w, []))
GenServer.cast(f, {:stop, :boom})
Process.sleep(50)
me = self()
spawn(fn -> send(me, {:third, DynamicSupervisor.start_child(sup, spec.(:x, []))}) end)
Process.sleep(10)
counts = DynamicSupervisor.count_children(sup) |> Map.to_list() |> Enum.sort()
third = receive do {:third, r} -> r after 1000 -> :timeout end
Probe.fact("max_children_restarting.count", counts)
Probe.fact("max_children_restarting.third", third)
stop.(sup)

# DSUP-5: a failing restart is retried; past the limit the supervisor exits shutdown.
setup.(%{r: [:ok, {:stop, :no_db}, {:stop, :no_db}, {:stop, :no_db}, {:stop, :no_db}]})
{:ok, sup} = DynamicSupervisor.start_link(strategy: :one_for_one)
{:ok, r} = DynamicSupervisor.start_child(sup, spec.(:r, []))
GenServer.cast(r, {:stop, :boom})
reason = receive do {:EXIT, ^sup, why} -> why after 1000 -> :timeout end
Probe.fact("retry.events", Probe.events(20))
Probe.fact("retry.sup_exit", reason)

# DSUP-6: concurrent shutdown; one timer per shutdown value.
setup.(%{a: [{:slow_terminate, 300}], b: [{:slow_terminate, 300}], c: [{:slow_terminate, 300}]})
{:ok, sup} = DynamicSupervisor.start_link(strategy: :one_for_one)
for n <- [:a, :b, :c], do: {:ok, _} = DynamicSupervisor.start_child(sup, spec.(n, []))
Probe.flush()
t0 = System.monotonic_time(:millisecond)
Process.unlink(sup)
DynamicSupervisor.stop(sup)
Probe.fact("concurrent.ms_rounded_to_100", round((System.monotonic_time(:millisecond) - t0) / 100) * 100)
Probe.fact("concurrent.events", Probe.events(20))

setup.(%{t100: [{:slow_terminate, 1000}], t200: [{:slow_terminate, 1000}], fast: [{:slow_terminate, 50}]})
{:ok, sup} = DynamicSupervisor.start_link(strategy: :one_for_one)
{:ok, _} = DynamicSupervisor.start_child(sup, spec.(:t100, shutdown: 100))
{:ok, _} = DynamicSupervisor.start_child(sup, spec.(:t200, shutdown: 200))
{:ok, _} = DynamicSupervisor.start_child(sup, spec.(:fast, shutdown: 200))
{:ok, _} = DynamicSupervisor.start_child(sup, spec.(:brutal, shutdown: :brutal_kill))
Probe.flush()
t0 = System.monotonic_time(:millisecond)
Process.unlink(sup)
DynamicSupervisor.stop(sup)
Probe.fact("timers.ms_rounded_to_100", round((System.monotonic_time(:millisecond) - t0) / 100) * 100)
Probe.fact("timers.events", Probe.events(20))
