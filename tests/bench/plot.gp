# plot.gp — the PNGs of `make bench` (gnuplot, from Debian's gnuplot-nox).
# usage: gnuplot -e "dir='build/bench'" tests/bench/plot.gp
# Reads dir/ratios.dat ("label" ratio) and dir/scaling.dat (CPUs, epoch
# Mreads/s, module-export Mcalls/s from user threads), both written by
# tests/bench/compare.py.
set terminal pngcairo size 1100,780 font ",9" noenhanced
set output dir."/ratios.png"
set title "Wisp's cost / the other's, median / median (< 1: Wisp is better; log, clipped to 1e-4..100)"
set style fill solid 0.6
set boxwidth 0.6
set logscale x 10
set xrange [0.0001:100]
set format x "%g"
clip(r) = r < 0.0001 ? 0.0001 : r > 100 ? 100 : r
set grid xtics
set ytics nomirror
set yrange [-1:*] reverse
unset key
set arrow from 1, graph 0 to 1, graph 1 nohead lc rgb "black" dt 2
plot dir."/ratios.dat" using (clip($2)):0:(0.0001):(clip($2)):($0-0.3):($0+0.3):yticlabels(1) with boxxyerror lc rgb "#4a7ebb"

reset
set terminal pngcairo size 700,450 font ",10" noenhanced
set output dir."/scaling.png"
set title "Wisp: throughput on 1 to 4 CPUs, TCG guest (2 host cores)"
set xlabel "CPUs (threads)"
set ylabel "M per second (median)"
set xtics (1, 2, 4)
set grid
set key center right
plot dir."/scaling.dat" using 1:2 with linespoints lw 2 pt 7 title "epoch reads: slot call in a section (kernel)", \
     dir."/scaling.dat" using 1:3 with linespoints lw 2 pt 5 title "module export calls from program threads (counter_read)"
