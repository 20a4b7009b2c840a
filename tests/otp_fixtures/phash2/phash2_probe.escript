#!/usr/bin/env escript
%% -*- erlang -*-
%% Prints erlang:phash2/1,2 for a deterministic list of terms, one per line:
%%   TERM <TAB> phash2(T) <TAB> phash2(T, 2^32) <TAB> R1:V1 R2:V2 ...
%% TERM is written in otpsim's term syntax (quoted atoms, <<"text">> binaries), so
%% the Rust test can parse it back. Binaries are valid UTF-8: otpsim's binaries hold text.
%%! +pc unicode

main(_) ->
    Ranges = [1, 2, 3, 5, 7, 8, 10, 16, 1000, 1 bsl 27, (1 bsl 32) - 1],
    lists:foreach(
      fun(T) ->
              Cols = [io_lib:format("~b:~b", [R, erlang:phash2(T, R)]) || R <- Ranges],
              Line = [fmt(T), $\t, integer_to_list(erlang:phash2(T)), $\t,
                      integer_to_list(erlang:phash2(T, 1 bsl 32)), $\t,
                      lists:join($\s, Cols), $\n],
              ok = file:write(standard_io, unicode:characters_to_binary(Line))
      end, terms()).

terms() -> ints() ++ atoms() ++ bins() ++ tuples() ++ lists() ++ nested().

ints() ->
    Small = lists:seq(-40, 300),
    Bounds = lists:append([[(1 bsl K) - 1, 1 bsl K, (1 bsl K) + 1,
                            -(1 bsl K) + 1, -(1 bsl K), -(1 bsl K) - 1]
                           || K <- lists:seq(7, 63)]),
    Extra = [1 bsl 63 - 1, -(1 bsl 63), 123456789, -123456789, 16#DEADBEEF,
             16#0123456789ABCDEF, -16#0123456789ABCDEF, 4294967296 * 7 + 3],
    InI64 = [I || I <- Small ++ Bounds ++ Extra,
                  I >= -(1 bsl 63), I =< (1 bsl 63) - 1],
    lists:usort(InI64) ++ [].

atoms() ->
    Alpha = "abcdefghijklmnopqrstuvwxyz",
    Prefixes = [list_to_atom(lists:sublist(Alpha, N)) || N <- lists:seq(0, 26)],
    Long = [list_to_atom(lists:duplicate(N, $x)) || N <- [40, 100, 255]],
    Named = [ok, error, normal, shutdown, kill, undefined, true, false, nil, foo, bar,
             'Elixir.MyApp.Worker', 'Elixir.Registry', 'with space', 'quote\'s',
             'back\\slash', 'UPPER', '_under', 'a@b', 'x1', '0abc'],
    Unicode = [list_to_atom(S) || S <- ["héllo", "ÿ", "é", "àéîõü", [16#A0], [16#80],
                                        [16#3A9], [16#65E5, 16#672C], [16#1F600],
                                        [$a, 16#E9, 16#65E5], "naïve café"]],
    Prefixes ++ Long ++ Named ++ Unicode.

bins() ->
    Ascii = "The quick brown fox jumps over the lazy dog 0123456789!",
    ByLen = [list_to_binary(lists:sublist(Ascii, N)) || N <- lists:seq(0, 40)],
    Long = [list_to_binary(lists:duplicate(N, $z)) || N <- [47, 48, 100, 255, 1000]],
    Named = [<<"bar">>, <<"foo">>, <<"key">>, <<"user:42">>, <<"\n\t">>],
    Unicode = [unicode:characters_to_binary(S)
               || S <- ["héllo", "日本語", [16#1F600], "àéîõü naïve", [16#3A9]]],
    ByLen ++ Long ++ Named ++ Unicode.

tuples() ->
    [{}, {a}, {0}, {1}, {-1}, {[]}, {{}}, {1, 2}, {2, 1}, {a, b}, {a, b, c},
     {<<"bar">>, 1}, {1 bsl 40, -(1 bsl 40)}, {ok, <<>>}, {error, {shutdown, normal}},
     list_to_tuple(lists:seq(1, 20)), list_to_tuple([x || _ <- lists:seq(1, 13)]),
     {user, 42}, {session, <<"abc">>, 7}].

lists() ->
    Bytes = [lists:seq(1, N) || N <- lists:seq(1, 13)],
    [[], [a], [a, b], [a, b, c], [0], [255], [256], [-1], [1, 256, 2], [255, 256],
     [256, 255], [1, a, 2], [a, 1, 2, 3, 4, 5], [1, 2, 3, 4, 5, a], [[]], [[], []],
     [[1, 2], [3]], [{a, 1}, {b, 2}], lists:seq(0, 99), lists:seq(200, 300),
     "abc", "hello world", [<<"x">>, <<"y">>], [1 bsl 30], [1, 1 bsl 30, 2],
     [[[[]]]], [{}], [1000, 1, 2, 3, 4]] ++ Bytes.

nested() ->
    [{a, [1, 2, {b, <<"c">>}], []}, [{k, [v1, v2]}, {<<"k2">>, {1, [2, [3]]}}],
     {{{{{deep}}}}}, [[[[[1]]]]], {[], [], {}}, {[a | [b]], "str", <<"str">>},
     {'Elixir.MyApp.Part', 3, [256, 1, -5]}, [{}, [], <<>>, '', 0]].

%% otpsim term syntax.
fmt(I) when is_integer(I) -> integer_to_list(I);
fmt(A) when is_atom(A) -> [$', esc(atom_to_list(A), $'), $'];
fmt(B) when is_binary(B) -> ["<<\"", esc(unicode:characters_to_list(B), $"), "\">>"];
fmt(T) when is_tuple(T) -> [${, lists:join($,, [fmt(E) || E <- tuple_to_list(T)]), $}];
fmt(L) when is_list(L) -> [$[, lists:join($,, [fmt(E) || E <- L]), $]].

esc(Chars, Q) ->
    [case C of
         $\\ -> "\\\\";
         $\n -> "\\n";
         $\t -> "\\t";
         Q -> [$\\, Q];
         _ -> C
     end || C <- Chars].
