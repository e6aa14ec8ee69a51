# plot.gp — the PNGs of `make bench` (gnuplot, from Debian's gnuplot-nox).
# usage: gnuplot -e "dir='build/bench'" tests/bench/plot.gp
# Reads dir/ratios.dat ("label" ratio) and dir/scaling.dat (cpus Mreads/s),
# both written by tests/bench/compare.py.
set terminal pngcairo size 1000,700 font ",9" noenhanced
set output dir."/ratios.png"
set title "Wisp's cost / Linux's or the native competitor's (median / median; 1 = equal, log scale)"
set style fill solid 0.6
set boxwidth 0.6
set logscale x 2
set xrange [0.01:*]
set grid xtics
set ytics nomirror
set yrange [-1:*] reverse
unset key
set arrow from 1, graph 0 to 1, graph 1 nohead lc rgb "black" dt 2
plot dir."/ratios.dat" using 2:0:(0.01):2:($0-0.3):($0+0.3):yticlabels(1) with boxxyerror lc rgb "#4a7ebb"

reset
set terminal pngcairo size 700,450 font ",10" noenhanced
set output dir."/scaling.png"
set title "Wisp epoch read throughput (slot call in a section), TCG guest"
set xlabel "CPUs"
set ylabel "Mreads/s (median)"
set xtics (1, 2, 4)
set grid
unset key
plot dir."/scaling.dat" using 1:2 with linespoints lw 2 pt 7
