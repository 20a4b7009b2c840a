# psup_probe: facts about Elixir's PartitionSupervisor (Elixir 1.14 on OTP 25) that
# otpsim's partition supervisor must match. Output: key=value lines, values in Erlang
# term syntax; pids are named by partition (w0, w1, ...) or `pid`.
# Run: elixir psup_probe.exs
:ok = :logger.set_primary_config(:level, :none)

defmodule Probe do
  def fact(key, value), do: IO.puts([key, "=", :io_lib.format(~c"~0p", [value])])

  # Pids become w<partition> for live children of the partition supervisor :ps.
  def scrub(t, names) when is_pid(t), do: Map.get(names, t, :pid)
  def scrub(t, names) when is_tuple(t), do: t |> Tuple.to_list() |> scrub(names) |> List.to_tuple()
  def scrub(t, names) when is_list(t), do: Enum.map(t, &scrub(&1, names))
  def scrub(t, _names), do: t

  def names(sup) do
    for {id, pid, _, _} <- Supervisor.which_children(sup), is_pid(pid), into: %{} do
      {pid, String.to_atom("w#{id}")}
    end
  end
end

defmodule Worker do
  use GenServer

  def start_link(args), do: GenServer.start_link(__MODULE__, args)

  @impl true
  def init(args) do
    send(:probe, {:init, args})
    # A restart of the worker marked slow takes 300 ms, leaving the dead pid in the table.
    if Keyword.get(args, :slow_restart) && :ets.member(:restarted, Keyword.get(args, :partition)) do
      Process.sleep(300)
    end
    :ets.insert(:restarted, {Keyword.get(args, :partition)})
    {:ok, args}
  end

  @impl true
  def handle_call(:args, _from, args), do: {:reply, args, args}
end

defmodule Main do
  import Probe

  def inits do
    receive do
      {:init, args} -> [args | inits()]
    after
      50 -> []
    end
  end

  def run do
    Process.register(self(), :probe)
    :ets.new(:restarted, [:public, :named_table])

    {:ok, sup} =
      PartitionSupervisor.start_link(
        name: :ps,
        partitions: 4,
        child_spec: {Worker, [tag: :w]},
        with_arguments: fn [opts], partition -> [Keyword.put(opts, :partition, partition)] end
      )

    fact("psup1_init_order", inits())
    names = names(sup)
    fact("psup1_which_children", scrub(Supervisor.which_children(:ps), names))
    fact("psup1_count_children", Supervisor.count_children(:ps))
    fact("psup1_partitions", PartitionSupervisor.partitions(:ps))
    fact("psup1_is_registered", Process.whereis(:ps) == sup)
    fact("psup1_table_exists", :ets.info(:ps, :name))
    fact("psup1_table_protected", :ets.info(:ps, :protection))

    keys = [0, 1, 2, 3, 4, 5, -7, -1, 123_456_789_012, :foo, "bar", {1, 2}, [1, 2], :user, "user:42", {:user, 42}]
    routes =
      for key <- keys do
        pid = GenServer.whereis({:via, PartitionSupervisor, {:ps, key}})
        {key, scrub(pid, names)}
      end
    fact("psup2_routes_p4", routes)

    args_of = for key <- [0, 1, 2, 3], do: Keyword.get(GenServer.call({:via, PartitionSupervisor, {:ps, key}}, :args), :partition)
    fact("psup1_with_arguments_partition", args_of)

    Supervisor.stop(sup)

    # P = 3: a non-power of two, where phash2(T, 3) differs from phash2(T) rem 3.
    {:ok, sup3} = PartitionSupervisor.start_link(name: :ps3, partitions: 3, child_spec: {Worker, [tag: :x]})
    inits()
    names3 = names(sup3)
    routes3 =
      for key <- keys do
        {key, scrub(GenServer.whereis({:via, PartitionSupervisor, {:ps3, key}}), names3)}
      end
    fact("psup2_routes_p3", routes3)
    fact("psup1_default_with_arguments", scrub(for(k <- [0, 1, 2], do: GenServer.call({:via, PartitionSupervisor, {:ps3, k}}, :args)), names3))
    Supervisor.stop(sup3)

    # PSUP-3: a killed partition whose restart is slow: the table keeps the dead pid.
    :ets.delete_all_objects(:restarted)
    Process.flag(:trap_exit, true)
    {:ok, sup5} =
      PartitionSupervisor.start_link(
        name: :ps5,
        partitions: 2,
        child_spec: {Worker, [slow_restart: true]},
        with_arguments: fn [opts], partition -> [Keyword.put(opts, :partition, partition)] end
      )
    inits()
    names5 = names(sup5)
    [{1, old, _, _}, _] = Supervisor.which_children(sup5)
    Process.exit(old, :kill)
    Process.sleep(100)
    fact("psup3_table_during_restart", scrub(:ets.lookup(:ps5, 1), names5))
    fact("psup3_whereis_during_restart", GenServer.whereis({:via, PartitionSupervisor, {:ps5, 1}}) == old)
    during =
      try do
        GenServer.call({:via, PartitionSupervisor, {:ps5, 1}}, :args)
      catch
        kind, reason -> {kind, scrub(reason, names5)}
      end
    fact("psup3_call_during_restart", during)
    fact("psup3_cast_during_restart", GenServer.cast({:via, PartitionSupervisor, {:ps5, 1}}, :hello))
    Process.sleep(400)
    [{1, new, _, _}, _] = Supervisor.which_children(sup5)
    fact("psup3_table_after_restart", :ets.lookup(:ps5, 1) == [{1, new}])
    fact("psup3_call_after_restart", Keyword.get(GenServer.call({:via, PartitionSupervisor, {:ps5, 1}}, :args), :partition))
    Supervisor.stop(sup5)
    fact("psup3_table_after_stop", :ets.info(:ps5, :name))

    # No such partition supervisor.
    missing =
      try do
        GenServer.call({:via, PartitionSupervisor, {:nope, 1}}, :args)
      catch
        kind, reason -> {kind, reason}
      end
    fact("psup2_call_missing", missing)
    missing_where =
      try do
        GenServer.whereis({:via, PartitionSupervisor, {:nope, 1}})
      catch
        kind, reason -> {kind, reason}
      end
    fact("psup2_whereis_missing", missing_where)
    fact("psup2_cast_missing", GenServer.cast({:via, PartitionSupervisor, {:nope, 1}}, :x))

    # Intensity: the default 3 restarts in 5 s; the 4th kill takes the supervisor down.
    :ets.delete_all_objects(:restarted)
    {:ok, sup6} = PartitionSupervisor.start_link(name: :ps6, partitions: 2, child_spec: {Worker, []})
    inits()
    for _ <- 1..4 do
      [_, {0, p, _, _}] = Supervisor.which_children(sup6)
      Process.exit(p, :kill)
      Process.sleep(20)
    end
    down =
      receive do
        {:EXIT, ^sup6, reason} -> reason
      after
        500 -> :still_alive
      end
    fact("psup1_intensity_3_in_5", down)

    # Partitions must be a positive integer.
    bad =
      try do
        PartitionSupervisor.start_link(name: :ps7, partitions: 0, child_spec: {Worker, []})
      rescue
        e -> {:raised, e.__struct__}
      end
    fact("psup1_zero_partitions", bad)
  end
end

Main.run()
