package dev.kiln.runtime.report;

import dev.kiln.runtime.io.AtomicFiles;
import dev.kiln.runtime.Evaluation;
import dev.kiln.runtime.History;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A self-contained HTML page (inline CSS and SVG; no scripts, external styles, fonts or links) that
 * shows a {@link History}: line charts of the loss and validation loss, accuracy and validation
 * accuracy, learning rate, per-layer gradient norms (log scale when they span more than a factor of
 * 20), per-layer activation mean, activation standard deviation and dead fraction, and of any other
 * metric; each chart present only when the history has its values. Every chart marks the epoch
 * where training was stopped early and the best epoch, when the history has them. The loss chart
 * uses a log scale whenever every value is positive. Above the charts: the model summary and the
 * test evaluation when given, the hyperparameters ({@link History#params()}), and the values the
 * model's weights have: those of the best epoch when early stopping restored it, else the last
 * epoch's. Under the charts a table gives the values per epoch, each formatted by {@link
 * #format(double)} ({@code String.format(Locale.ROOT, "%.6g", value)}): every epoch up to {@value
 * #TABLE_ROWS} epochs, beyond that every Nth epoch (N = 1, 2 or 5 times a power of ten) plus the
 * first, last, best and stopped epochs, so a 1,000-epoch run stays readable ({@link
 * History#writeCsv} has them all).
 *
 * <p>The output depends only on its arguments: the same input gives the same bytes.
 */
public final class TrainingReport {
  private static final String GRAD = "grad_norm/";
  private static final String ACT_MEAN = "activation_mean/";
  private static final String ACT_STD = "activation_std/";
  private static final String DEAD = "dead_fraction/";
  /** Most epochs the table shows every row of. */
  static final int TABLE_ROWS = 60;

  private TrainingReport() {}

  /**
   * Writes {@link #html} to {@code file} as UTF-8, atomically: to a temporary file in the same
   * directory, then renamed over {@code file}.
   */
  public static void write(History history, String title, Path file) throws IOException {
    write(history, title, (String) null, (Evaluation) null, file);
  }

  /**
   * As {@link #write(History, String, Path)}, with the model's {@code summary()} and its
   * evaluation on the test set (either may be null).
   */
  public static void write(History history, String title, String modelSummary, Evaluation test, Path file)
      throws IOException {
    byte[] bytes = html(history, title, modelSummary, test).getBytes(StandardCharsets.UTF_8);
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    AtomicFiles.write(file, channel -> AtomicFiles.writeFully(channel, java.nio.ByteBuffer.wrap(bytes)));
  }

  /**
   * As {@link #write(History, String, Path)}, with a confusion matrix section after the charts
   * (see {@link #html(History, String, int[][], List)}).
   */
  public static void write(History history, String title, int[][] confusion, List<String> classNames, Path file)
      throws IOException {
    byte[] bytes = html(history, title, confusion, classNames).getBytes(StandardCharsets.UTF_8);
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    AtomicFiles.write(file, channel -> AtomicFiles.writeFully(channel, java.nio.ByteBuffer.wrap(bytes)));
  }

  /**
   * The report with a confusion matrix ({@code Evaluation.confusion()}: rows true classes, columns
   * predicted) drawn as a heat-map table: each cell holds its count, shaded by its share of the
   * row (the recall of the diagonal). {@code classNames} labels the rows and columns (null for the
   * class indices).
   */
  public static String html(History history, String title, int[][] confusion, List<String> classNames) {
    java.util.Objects.requireNonNull(confusion, "confusion");
    if (classNames != null && classNames.size() != confusion.length) {
      throw new IllegalArgumentException(classNames.size() + " class names for a " + confusion.length + "-class"
          + " confusion matrix");
    }
    String page = html(history, title);
    StringBuilder b = new StringBuilder();
    b.append("<h2>Confusion matrix</h2>\n<p>Rows: true class; columns: predicted class; shade: share of the row."
        + "</p>\n<div class=\"table-wrap\">\n<table class=\"confusion\">\n<thead><tr><th>true \\ predicted</th>");
    for (int c = 0; c < confusion.length; c++) {
      b.append("<th>").append(escape(label(classNames, c))).append("</th>");
    }
    b.append("</tr></thead>\n<tbody>\n");
    for (int r = 0; r < confusion.length; r++) {
      long total = 0;
      for (int v : confusion[r]) {
        total += v;
      }
      b.append("<tr><th>").append(escape(label(classNames, r))).append("</th>");
      for (int c = 0; c < confusion[r].length; c++) {
        double share = total == 0 ? 0 : confusion[r][c] / (double) total;
        b.append("<td style=\"background:rgba(31,119,180,")
            .append(String.format(java.util.Locale.ROOT, "%.3f", share)).append(")").append(share > 0.5 ? ";color:#fff" : "")
            .append("\">").append(confusion[r][c]).append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("</tbody>\n</table>\n</div>\n");
    int at = page.indexOf("<h2>Per-epoch values</h2>");
    return page.substring(0, at) + b + page.substring(at);
  }

  private static String label(List<String> classNames, int c) {
    return classNames == null ? Integer.toString(c) : classNames.get(c);
  }

  /** The report as an HTML5 document. */
  public static String html(History history, String title) {
    return html(history, title, (String) null, (Evaluation) null);
  }

  /** The report as an HTML5 document, with the model summary and test evaluation when not null. */
  public static String html(History history, String title, String modelSummary, Evaluation test) {
    String t = title == null || title.isEmpty() ? "Training report" : title;
    List<String> names = new ArrayList<>(history.names());
    int epochs = history.epochs();
    int stopped = history.stoppedEpoch();
    int best = history.bestEpoch();
    boolean restored = history.bestWeightsRestored();

    List<LineChart> charts = new ArrayList<>();
    Set<String> charted = new LinkedHashSet<>();
    charts.add(pair(history, names, charted, "chart-loss", "Loss", "loss", "val_loss", LineChart.Scale.LOG));
    charts.add(pair(history, names, charted, "chart-accuracy", "Accuracy", "accuracy", "val_accuracy",
        LineChart.Scale.LINEAR));
    LineChart lr = new LineChart("chart-lr", "Learning rate", LineChart.Scale.LOG_IF_WIDE);
    if (names.contains("lr")) {
      lr.add("lr", history.get("lr"), false);
      charted.add("lr");
    }
    charts.add(lr);
    charts.add(perLayer(history, names, charted, "chart-grad-norm", "Gradient norm per layer", GRAD, true));
    charts.add(perLayer(history, names, charted, "chart-activation-mean", "Activation mean per layer", ACT_MEAN, false));
    charts.add(perLayer(history, names, charted, "chart-activation-std", "Activation std per layer", ACT_STD, false));
    charts.add(perLayer(history, names, charted, "chart-dead-fraction", "Dead fraction per layer", DEAD, false));
    LineChart other = new LineChart("chart-other", "Other metrics", LineChart.Scale.LINEAR);
    LineChart seconds = new LineChart("chart-seconds", "Epoch time (seconds)", LineChart.Scale.LINEAR);
    for (String n : names) {
      if (charted.contains(n)) {
        continue;
      }
      if (n.equals("seconds")) {
        seconds.add(n, history.get(n), false);
      } else if (!n.contains("/")) {
        other.add(n, history.get(n), n.startsWith("val_"));
      }
    }
    charts.add(other);
    charts.add(seconds);

    StringBuilder b = new StringBuilder(16384);
    b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    b.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    b.append("<title>").append(escape(t)).append("</title>\n");
    b.append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
    b.append("<h1>").append(escape(t)).append("</h1>\n");
    b.append("<ul class=\"summary\">\n");
    b.append("<li>Epochs: ").append(epochs).append("</li>\n");
    if (stopped > 0) {
      b.append("<li>Stopped early after epoch ").append(stopped).append("</li>\n");
    }
    if (best > 0) {
      b.append("<li>Best epoch: ").append(best)
          .append(restored ? " (its weights were restored)" : "").append("</li>\n");
    }
    b.append("</ul>\n");
    if (test != null) {
      b.append("<p class=\"test\">Test evaluation: loss ").append(format(test.loss()));
      if (!Double.isNaN(test.accuracy())) {
        b.append(", accuracy ").append(format(test.accuracy()));
      }
      b.append("</p>\n");
    }
    int held = restored && best > 0 ? best : epochs;
    List<String> headline = new ArrayList<>();
    for (String n : List.of("loss", "accuracy", "val_loss", "val_accuracy", "lr")) {
      if (names.contains(n)) {
        headline.add(n);
      }
    }
    if (epochs > 0 && !headline.isEmpty()) {
      b.append("<table class=\"facts headline\">\n<thead><tr><th></th>");
      for (String n : headline) {
        b.append("<th>").append(escape(n)).append("</th>");
      }
      b.append("</tr></thead>\n<tbody>\n");
      headlineRow(b, history, headline, held, held == epochs
          ? "Final (epoch " + epochs + ")"
          : "Model's weights: best epoch " + held + " (restored)", "held");
      if (held != epochs) {
        headlineRow(b, history, headline, epochs, "Last epoch (" + epochs + ")", "last");
      } else if (best > 0 && best != epochs) {
        headlineRow(b, history, headline, best, "Best epoch (" + best + ", not restored)", "best");
      }
      b.append("</tbody>\n</table>\n");
    }
    if (!history.params().isEmpty()) {
      b.append("<h2>Hyperparameters</h2>\n<table class=\"facts params\">\n<tbody>\n");
      for (Map.Entry<String, String> e : history.params().entrySet()) {
        b.append("<tr><th>").append(escape(e.getKey().replace('_', ' '))).append("</th><td>")
            .append(escape(e.getValue())).append("</td></tr>\n");
      }
      b.append("</tbody>\n</table>\n");
    }
    if (modelSummary != null && !modelSummary.isEmpty()) {
      b.append("<h2>Model</h2>\n<pre class=\"model-summary\">").append(escape(modelSummary)).append("</pre>\n");
    }
    b.append("<h2>Charts</h2>\n");

    for (LineChart c : charts) {
      if (!c.isEmpty()) {
        b.append("<figure>\n").append(c.svg(epochs, stopped, best, restored)).append("</figure>\n");
      }
    }

    int every = tableStride(epochs);
    b.append("<h2>Per-epoch values</h2>\n");
    if (every > 1) {
      b.append("<p class=\"table-note\">Every ").append(every)
          .append(" epochs, plus the first, the last and the marked ones (best, stopped); ")
          .append("History.writeCsv saves them all.</p>\n");
    }
    b.append("<div class=\"table-wrap\">\n<table class=\"values\">\n");
    b.append("<thead><tr><th>epoch</th>");
    for (String n : names) {
      b.append("<th>").append(escape(n)).append("</th>");
    }
    b.append("</tr></thead>\n<tbody>\n");
    List<double[]> columns = new ArrayList<>();
    for (String n : names) {
      columns.add(history.get(n));
    }
    for (int e = 1; e <= epochs; e++) {
      if (e % every != 0 && e != 1 && e != epochs && e != best && e != stopped) {
        continue;
      }
      String cls = (e == best ? " best" : "") + (e == stopped ? " stopped" : "");
      b.append("<tr").append(cls.isEmpty() ? "" : " class=\"" + cls.trim() + "\"").append("><th>")
          .append(e).append("</th>");
      for (double[] col : columns) {
        b.append("<td>").append(e - 1 < col.length ? format(col[e - 1]) : "").append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("</tbody>\n</table>\n</div>\n</body>\n</html>\n");
    return b.toString();
  }

  /** Every how many epochs the table shows a row: 1 up to {@link #TABLE_ROWS} epochs, else 1, 2 or 5 x 10^k. */
  static int tableStride(int epochs) {
    if (epochs <= TABLE_ROWS) {
      return 1;
    }
    return (int) LineChart.niceStep(epochs / (double) (TABLE_ROWS / 2));
  }

  private static void headlineRow(StringBuilder b, History history, List<String> names, int epoch, String label,
      String cls) {
    b.append("<tr class=\"").append(cls).append("\"><th>").append(escape(label)).append("</th>");
    for (String n : names) {
      double[] values = history.get(n);
      b.append("<td>").append(epoch - 1 < values.length ? format(values[epoch - 1]) : "").append("</td>");
    }
    b.append("</tr>\n");
  }

  /** How the table shows a value: {@code String.format(Locale.ROOT, "%.6g", value)}. */
  public static String format(double value) {
    if (!Double.isFinite(value)) {
      return Double.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
    }
    return String.format(Locale.ROOT, "%.6g", value);
  }

  /** Escapes {@code & < > " '} for HTML text and attribute values. */
  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  private static LineChart pair(History h, List<String> names, Set<String> charted, String id,
      String title, String train, String val, LineChart.Scale scale) {
    LineChart c = new LineChart(id, title, scale);
    if (names.contains(train)) {
      c.add(train, h.get(train), false);
      charted.add(train);
    }
    if (names.contains(val)) {
      c.add(val, h.get(val), true);
      charted.add(val);
    }
    return c;
  }

  private static LineChart perLayer(History h, List<String> names, Set<String> charted, String id,
      String title, String prefix, boolean preferLog) {
    LineChart c = new LineChart(id, title, preferLog ? LineChart.Scale.LOG_IF_WIDE : LineChart.Scale.LINEAR);
    for (String n : names) {
      if (n.startsWith(prefix)) {
        c.add(n.substring(prefix.length()), h.get(n), false);
        charted.add(n);
      }
    }
    return c;
  }

  private static final String CSS = """
      body { font-family: sans-serif; margin: 24px; color: #222; background: #fff; }
      h1 { font-size: 22px; margin: 0 0 8px 0; }
      h2 { font-size: 18px; margin: 24px 0 8px 0; }
      ul.summary { margin: 0 0 12px 0; padding-left: 20px; font-size: 14px; }
      p.test { font-size: 14px; font-weight: bold; margin: 8px 0; }
      table.facts { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; margin: 8px 0; }
      table.facts th, table.facts td { border: 1px solid #ccc; padding: 3px 8px; }
      table.facts tbody th { text-align: left; font-weight: normal; background: #f7f7f7; }
      table.facts td { text-align: right; }
      table.params td { text-align: left; font-family: monospace; }
      table.headline tr.held td { font-weight: bold; }
      pre.model-summary { font-size: 12px; line-height: 1.1; background: #f7f7f7; padding: 8px; overflow-x: auto; }
      p.table-note { font-size: 13px; color: #555; margin: 4px 0; }
      figure { margin: 12px 0; }
      svg.chart { display: block; font-family: sans-serif; font-size: 12px; }
      svg .chart-title { font-size: 15px; font-weight: bold; fill: #222; }
      svg .frame { fill: none; stroke: #444; stroke-width: 1; }
      svg .grid { stroke: #e2e2e2; stroke-width: 1; }
      svg .tick { fill: #444; }
      svg .y-tick { text-anchor: end; }
      svg .x-tick, svg .axis-label { text-anchor: middle; }
      svg .axis-label { fill: #444; }
      svg .series path { fill: none; stroke-width: 2; stroke-linejoin: round; }
      svg .legend-label { fill: #222; }
      svg .marker-stopped line { stroke: #d62728; stroke-width: 1.5; stroke-dasharray: 4 3; }
      svg .marker-stopped text, svg .marker-best text { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
      svg .marker-stopped text { fill: #d62728; }
      svg .marker-best line { stroke: #2ca02c; stroke-width: 1.5; stroke-dasharray: 2 2; }
      svg .marker-best text { fill: #2ca02c; }
      .table-wrap { overflow-x: auto; }
      table.values { border-collapse: collapse; font-size: 12px; font-variant-numeric: tabular-nums; }
      table.values th, table.values td { border: 1px solid #ccc; padding: 2px 6px; text-align: right; }
      table.values thead th { background: #f3f3f3; text-align: center; }
      table.values tr.best td { background: #eaf6ea; }
      table.values tr.stopped td { background: #fbeaea; }
      """;
}
