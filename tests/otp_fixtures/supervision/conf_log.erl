%% A logger handler that forwards supervisor reports (progress, child_terminated,
%% start_error, shutdown_error, shutdown/reached_max_restart_intensity) to conf_rec.
%% Logger runs handlers in the logging process, so each report reaches the
%% recorder before the supervisor goes on.
-module(conf_log).
-export([log/2]).

log(#{msg := {report, #{label := {supervisor, Kind}, report := Report}},
      meta := #{pid := Sup}}, _Config) ->
    conf_rec:sup_report(Sup, Kind, Report);
log(_Event, _Config) ->
    ok.
