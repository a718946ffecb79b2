package dev.kiln.runtime.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One inline SVG line chart of per-epoch values: x is the 1-based epoch, y a linear or base-10
 * logarithmic scale with round tick values. Non-finite values (and non-positive ones on a log
 * scale) leave a gap in their line.
 *
 * <p>The plot area is described on its {@code <g class="plot-area">} element so the drawing can be
 * read back: {@code data-left}, {@code data-top}, {@code data-width}, {@code data-height} (pixels),
 * {@code data-x-domain} (first and last epoch of the x range), {@code data-y-domain} (lowest and
 * highest y value; base-10 exponents on a log scale) and {@code data-y-scale} ({@code linear} or
 * {@code log}).
 */
final class LineChart {
  static final int WIDTH = 900;
  static final int LEFT = 72;
  static final int TOP = 40;
  static final int PLOT_WIDTH = 600;
  static final int PLOT_HEIGHT = 260;
  static final int LEGEND_X = LEFT + PLOT_WIDTH + 24;
  static final int LEGEND_CHARS = 26;

  private static final String[] PALETTE = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"
  };

  private record Series(String label, double[] values, boolean dashed) {}

  /** The y scale: linear, log whenever every value is positive, or log when they also span a factor of 20. */
  enum Scale {
    LINEAR,
    LOG,
    LOG_IF_WIDE
  }

  private final String id;
  private final String title;
  private final Scale scale;
  private final List<Series> series = new ArrayList<>();

  LineChart(String id, String title, Scale scale) {
    this.id = id;
    this.title = title;
    this.scale = scale;
  }

  LineChart add(String label, double[] values, boolean dashed) {
    series.add(new Series(label, values, dashed));
    return this;
  }

  boolean isEmpty() {
    return series.isEmpty();
  }

  /** The chart as an {@code <svg>} element; {@code stopped} and {@code best} are 0 when unset. */
  String svg(int epochs, int stopped, int best, boolean bestRestored) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    boolean allPositive = true;
    int points = 0;
    for (Series s : series) {
      for (double v : s.values) {
        if (Double.isFinite(v)) {
          min = Math.min(min, v);
          max = Math.max(max, v);
          allPositive &= v > 0;
          points++;
        }
      }
    }
    if (points == 0) {
      min = 0;
      max = 1;
    }
    boolean log = scale != Scale.LINEAR && points > 0 && allPositive && (scale == Scale.LOG || max / min >= 20);

    // y domain and ticks
    double lo;
    double hi;
    List<Double> yTicks = new ArrayList<>();
    List<String> yLabels = new ArrayList<>();
    if (log) {
      lo = Math.floor(Math.log10(min));
      hi = Math.ceil(Math.log10(max));
      if (hi <= lo) {
        hi = lo + 1;
      }
      if (hi - lo <= 2) {
        // Within two decades: ticks at 1, 2 and 5 times powers of ten, the domain snapped to the
        // nearest of them around the data (a loss from 0.3 to 0.5 is not squeezed into 0.1..1).
        List<Double> exponents = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int k = (int) lo; k <= (int) hi; k++) {
          for (int f : new int[] {1, 2, 5}) {
            exponents.add(k + Math.log10(f));
            labels.add(multipleOfPowerOfTen(f, k));
          }
        }
        double logMin = Math.log10(min);
        double logMax = Math.log10(max);
        int first = 0;
        while (first + 1 < exponents.size() && exponents.get(first + 1) <= logMin + 1e-12) {
          first++;
        }
        int last = exponents.size() - 1;
        while (last - 1 > first && exponents.get(last - 1) >= logMax - 1e-12) {
          last--;
        }
        if (last == first) {
          last = Math.min(first + 1, exponents.size() - 1);
        }
        lo = exponents.get(first);
        hi = exponents.get(last);
        for (int i = first; i <= last; i++) {
          yTicks.add(exponents.get(i));
          yLabels.add(labels.get(i));
        }
      } else {
        int stride = (int) Math.max(1, Math.ceil((hi - lo) / 8));
        for (int k = (int) lo; k <= (int) hi; k += stride) {
          yTicks.add((double) k);
          yLabels.add(powerOfTen(k));
        }
      }
    } else {
      if (max - min <= 0) {
        double pad = min == 0 ? 1 : Math.abs(min) * 0.1;
        min -= pad;
        max += pad;
      }
      double step = niceStep((max - min) / 5);
      lo = Math.floor(min / step) * step;
      hi = Math.ceil(max / step) * step;
      int decimals = (int) Math.max(0, Math.min(15, -Math.floor(Math.log10(step) + 1e-9)));
      int count = (int) Math.round((hi - lo) / step);
      for (int i = 0; i <= count; i++) {
        double t = lo + i * step;
        if (Math.abs(t) < step * 1e-9) {
          t = 0;
        }
        yTicks.add(t);
        yLabels.add(String.format(Locale.ROOT, "%." + decimals + "f", t));
      }
    }

    // x domain and ticks
    double xLo = epochs > 1 ? 1 : 0;
    double xHi = epochs > 1 ? epochs : 2;
    List<Integer> xTicks = new ArrayList<>();
    if (epochs >= 1) {
      int step = (int) Math.max(1, niceStep((epochs - 1) / 10.0));
      xTicks.add(1);
      for (int e = step; e <= epochs; e += step) {
        if (e > 1) {
          xTicks.add(e);
        }
      }
    }

    int legendHeight = TOP + 8 + 18 * series.size();
    int height = Math.max(TOP + PLOT_HEIGHT + 50, legendHeight);
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT,
        "<svg class=\"chart\" id=\"%s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n",
        TrainingReport.escape(id), WIDTH, height, WIDTH, height));
    b.append("<title>").append(TrainingReport.escape(title)).append("</title>\n");
    b.append(String.format(Locale.ROOT,
        "<text class=\"chart-title\" x=\"%d\" y=\"22\">%s%s</text>\n",
        LEFT, TrainingReport.escape(title), log ? " (log scale)" : ""));
    b.append(String.format(Locale.ROOT,
        "<g class=\"plot-area\" data-left=\"%d\" data-top=\"%d\" data-width=\"%d\" data-height=\"%d\""
            + " data-x-domain=\"%s %s\" data-y-domain=\"%s %s\" data-y-scale=\"%s\">\n",
        LEFT, TOP, PLOT_WIDTH, PLOT_HEIGHT, num(xLo), num(xHi), num(lo), num(hi),
        log ? "log" : "linear"));
    b.append(String.format(Locale.ROOT,
        "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
        LEFT, TOP, PLOT_WIDTH, PLOT_HEIGHT));

    // grid and tick labels
    for (int i = 0; i < yTicks.size(); i++) {
      double y = yPixel(yTicks.get(i), lo, hi);
      b.append(String.format(Locale.ROOT,
          "<line class=\"grid\" x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\"/>"
              + "<text class=\"tick y-tick\" x=\"%d\" y=\"%.2f\">%s</text>\n",
          LEFT, y, LEFT + PLOT_WIDTH, y, LEFT - 6, y + 4, yLabels.get(i)));
    }
    for (int e : xTicks) {
      double x = xPixel(e, xLo, xHi);
      b.append(String.format(Locale.ROOT,
          "<line class=\"grid\" x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\"/>"
              + "<text class=\"tick x-tick\" x=\"%.2f\" y=\"%d\">%d</text>\n",
          x, TOP, x, TOP + PLOT_HEIGHT, x, TOP + PLOT_HEIGHT + 16, e));
    }
    b.append(String.format(Locale.ROOT,
        "<text class=\"axis-label\" x=\"%d\" y=\"%d\">epoch</text>\n",
        LEFT + PLOT_WIDTH / 2, TOP + PLOT_HEIGHT + 36));

    // lines
    for (int s = 0; s < series.size(); s++) {
      Series ser = series.get(s);
      String color = PALETTE[s % PALETTE.length];
      StringBuilder d = new StringBuilder();
      StringBuilder dots = new StringBuilder();
      boolean pen = false;
      for (int i = 0; i < ser.values.length && i < Math.max(epochs, 1); i++) {
        double v = ser.values[i];
        if (!Double.isFinite(v) || (log && v <= 0)) {
          pen = false;
          continue;
        }
        double x = xPixel(i + 1, xLo, xHi);
        double y = yPixel(log ? Math.log10(v) : v, lo, hi);
        if (d.length() > 0) {
          d.append(' ');
        }
        d.append(pen ? "L" : "M").append(String.format(Locale.ROOT, "%.2f %.2f", x, y));
        pen = true;
        if (epochs <= 60) {
          dots.append(String.format(Locale.ROOT,
              "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2.5\" fill=\"%s\"/>", x, y, color));
        }
      }
      b.append(String.format(Locale.ROOT,
          "<g class=\"series\" data-name=\"%s\"><path d=\"%s\" stroke=\"%s\"%s/>%s</g>\n",
          TrainingReport.escape(ser.label), d, color,
          ser.dashed ? " stroke-dasharray=\"6 4\"" : "", dots));
    }

    // early-stopping markers
    if (stopped > 0) {
      b.append(marker("marker-stopped", stopped, xLo, xHi, "stopped (epoch " + stopped + ")", 12));
    }
    if (best > 0) {
      String label = "best (epoch " + best + (bestRestored ? ", weights restored" : "") + ")";
      b.append(marker("marker-best", best, xLo, xHi, label, 26));
    }
    b.append("</g>\n");

    // legend
    b.append("<g class=\"legend\">\n");
    for (int s = 0; s < series.size(); s++) {
      Series ser = series.get(s);
      String color = PALETTE[s % PALETTE.length];
      int y = TOP + 8 + 18 * s;
      String shown = ser.label.length() > LEGEND_CHARS
          ? ser.label.substring(0, LEGEND_CHARS - 1) + "\u2026"
          : ser.label;
      b.append(String.format(Locale.ROOT,
          "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2.5\"%s/>"
              + "<text class=\"legend-label\" x=\"%d\" y=\"%d\"><title>%s</title>%s</text>\n",
          LEGEND_X, y, LEGEND_X + 24, y, color, ser.dashed ? " stroke-dasharray=\"6 4\"" : "",
          LEGEND_X + 30, y + 4, TrainingReport.escape(ser.label), TrainingReport.escape(shown)));
    }
    b.append("</g>\n</svg>\n");
    return b.toString();
  }

  private static String marker(String cls, int epoch, double xLo, double xHi, String label, int dy) {
    double x = xPixel(epoch, xLo, xHi);
    boolean right = x > LEFT + PLOT_WIDTH * 0.7;
    return String.format(Locale.ROOT,
        "<g class=\"%s\" data-epoch=\"%d\"><line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\"/>"
            + "<text x=\"%.2f\" y=\"%d\" text-anchor=\"%s\">%s</text></g>\n",
        cls, epoch, x, TOP, x, TOP + PLOT_HEIGHT, right ? x - 4 : x + 4, TOP + dy,
        right ? "end" : "start", TrainingReport.escape(label));
  }

  static double xPixel(double epoch, double xLo, double xHi) {
    return LEFT + (epoch - xLo) / (xHi - xLo) * PLOT_WIDTH;
  }

  static double yPixel(double v, double lo, double hi) {
    return TOP + PLOT_HEIGHT - (v - lo) / (hi - lo) * PLOT_HEIGHT;
  }

  /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
  static double niceStep(double raw) {
    if (!(raw > 0) || !Double.isFinite(raw)) {
      return 1;
    }
    double exp = Math.floor(Math.log10(raw));
    double base = Math.pow(10, exp);
    double f = raw / base;
    double nf = f <= 1 + 1e-9 ? 1 : f <= 2 + 1e-9 ? 2 : f <= 5 + 1e-9 ? 5 : 10;
    return nf * base;
  }

  private static String powerOfTen(int k) {
    if (k >= 0 && k <= 6) {
      return String.format(Locale.ROOT, "%.0f", Math.pow(10, k));
    }
    if (k < 0 && k >= -4) {
      return String.format(Locale.ROOT, "%." + (-k) + "f", Math.pow(10, k));
    }
    return "1e" + k;
  }

  private static String multipleOfPowerOfTen(int f, int k) {
    if (k >= 0 && k <= 5) {
      return String.format(Locale.ROOT, "%.0f", f * Math.pow(10, k));
    }
    if (k < 0 && k >= -4) {
      return String.format(Locale.ROOT, "%." + (-k) + "f", f * Math.pow(10, k));
    }
    return f + "e" + k;
  }

  /** Shortest round-trip form of a domain bound. */
  private static String num(double v) {
    return Double.toString(v);
  }
}
