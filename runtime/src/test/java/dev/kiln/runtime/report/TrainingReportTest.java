package dev.kiln.runtime.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.History;
import dev.kiln.runtime.HistoryFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingReportTest {

  /** A history shaped like a real fit with diagnostics: 12 epochs, stopped at 12, best at 8. */
  static History realistic(int stopped, int best, String... layers) {
    List<Map<String, Double>> epochs = new ArrayList<>();
    for (int e = 1; e <= 12; e++) {
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("loss", 2.3 * Math.exp(-0.25 * e) + 0.05);
      m.put("accuracy", 1 - 0.9 * Math.exp(-0.3 * e));
      m.put("val_loss", 2.3 * Math.exp(-0.25 * e) + 0.12 + 0.004 * (e - 8) * (e - 8));
      m.put("val_accuracy", 0.97 - 0.85 * Math.exp(-0.3 * e) - 0.001 * e);
      m.put("lr", 0.01 * Math.pow(0.8, e - 1));
      m.put("seconds", 1.5 + 0.01 * e);
      for (int l = 0; l < layers.length; l++) {
        m.put("grad_norm/" + layers[l], Math.pow(10, -l) * 3.0 / e);
        m.put("activation_mean/" + layers[l], 0.1 * (l + 1) + 0.01 * e);
        m.put("activation_std/" + layers[l], 1.0 / (l + 1) - 0.02 * e);
        m.put("dead_fraction/" + layers[l], 0.05 * l + 0.003 * e);
      }
      epochs.add(m);
    }
    return HistoryFixtures.of(epochs, stopped, best, true);
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + what.length())) {
      n++;
    }
    return n;
  }

  private static String chart(String html, String id) {
    int start = html.indexOf("<svg class=\"chart\" id=\"" + id + "\"");
    assertTrue(start >= 0, "no chart " + id);
    return html.substring(start, html.indexOf("</svg>", start) + 6);
  }

  @Test
  void selfContainedWellFormedAndOneSvgPerChart() {
    String html = TrainingReport.html(realistic(12, 8, "dense1", "dense2", "out"), "MNIST MLP");
    assertTrue(html.startsWith("<!DOCTYPE html>\n<html"));
    assertTrue(html.endsWith("</html>\n"));
    assertFalse(html.toLowerCase(Locale.ROOT).contains("<script"));
    assertFalse(html.toLowerCase(Locale.ROOT).contains("http"));
    assertFalse(html.contains("<link"));
    assertFalse(html.contains("url("));
    String[] ids = {"chart-loss", "chart-accuracy", "chart-lr", "chart-grad-norm",
        "chart-activation-mean", "chart-activation-std", "chart-dead-fraction", "chart-seconds"};
    assertEquals(ids.length, count(html, "<svg"));
    assertEquals(ids.length, count(html, "</svg>"));
    for (String id : ids) {
      String svg = chart(html, id);
      assertEquals(1, count(svg, "<svg"));
      assertEquals(count(svg, "<g"), count(svg, "</g>"), id);
      assertEquals(count(svg, "<text"), count(svg, "</text>"), id);
      assertTrue(svg.contains("class=\"legend\""), id);
      assertTrue(svg.contains("class=\"chart-title\""), id);
      assertTrue(count(svg, "class=\"tick y-tick\"") >= 2, id);
      assertTrue(count(svg, "class=\"tick x-tick\"") >= 2, id);
    }
    assertFalse(html.contains("chart-other"));
    for (String tag : new String[] {"html", "head", "body", "table", "thead", "tbody", "ul", "figure"}) {
      assertEquals(count(html, "<" + tag + ">") + count(html, "<" + tag + " "), count(html, "</" + tag + ">"), tag);
    }
    // per-layer lines are labelled by layer name
    String grad = chart(html, "chart-grad-norm");
    for (String layer : new String[] {"dense1", "dense2", "out"}) {
      assertTrue(grad.contains("data-name=\"" + layer + "\""), layer);
    }
    assertTrue(grad.contains("data-y-scale=\"log\""), "gradient norms spanning decades use a log scale");
  }

  @Test
  void onlyChartsWithValues() {
    List<Map<String, Double>> epochs = new ArrayList<>();
    for (int e = 1; e <= 3; e++) {
      epochs.add(Map.of("loss", 1.0 / e));
    }
    String html = TrainingReport.html(HistoryFixtures.of(epochs, 0, 0, false), "t");
    assertEquals(1, count(html, "<svg"));
    assertTrue(html.contains("id=\"chart-loss\""));
    assertFalse(html.contains("id=\"chart-accuracy\""));
    assertFalse(html.contains("id=\"chart-lr\""));

    Map<String, Double> other = new LinkedHashMap<>();
    other.put("loss", 0.5);
    other.put("mae", 0.25);
    other.put("val_mae", 0.3);
    String html2 = TrainingReport.html(HistoryFixtures.of(List.of(other), 0, 0, false), "t");
    assertEquals(2, count(html2, "<svg"));
    assertTrue(chart(html2, "chart-other").contains("data-name=\"val_mae\""));
  }

  @Test
  void tableHoldsEveryValueFormattedAsDocumented() {
    History h = realistic(12, 8, "dense1", "out");
    String html = TrainingReport.html(h, "t");
    String table = html.substring(html.indexOf("<table class=\"values\""));
    List<String> names = new ArrayList<>(h.names());
    Matcher header = Pattern.compile("<thead><tr>(.*?)</tr></thead>").matcher(table);
    assertTrue(header.find());
    List<String> heads = cells(header.group(1), "th");
    assertEquals("epoch", heads.get(0));
    assertEquals(names, heads.subList(1, heads.size()));
    Matcher row = Pattern.compile("<tr[^>]*><th>(\\d+)</th>(.*?)</tr>").matcher(table);
    int rows = 0;
    while (row.find()) {
      int epoch = Integer.parseInt(row.group(1));
      rows++;
      assertEquals(rows, epoch);
      List<String> tds = cells(row.group(2), "td");
      assertEquals(names.size(), tds.size());
      for (int i = 0; i < names.size(); i++) {
        double v = h.get(names.get(i))[epoch - 1];
        String expected = String.format(Locale.ROOT, "%.6g", v);
        assertEquals(expected, tds.get(i), names.get(i) + " epoch " + epoch);
        assertEquals(v, Double.parseDouble(tds.get(i)), Math.abs(v) * 1e-5);
      }
    }
    assertEquals(h.epochs(), rows);
    assertEquals("NaN", TrainingReport.format(Double.NaN));
    assertEquals("1.00000e-05", TrainingReport.format(1e-5));
  }

  private static List<String> cells(String row, String tag) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("<" + tag + ">(.*?)</" + tag + ">").matcher(row);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** Reads the plotted points of one series back into (epoch, value) by inverting the scales. */
  private static List<double[]> plotted(String svg, String series) {
    Matcher area = Pattern.compile(
            "data-left=\"(\\d+)\" data-top=\"(\\d+)\" data-width=\"(\\d+)\" data-height=\"(\\d+)\""
                + " data-x-domain=\"(\\S+) (\\S+)\" data-y-domain=\"(\\S+) (\\S+)\" data-y-scale=\"(\\w+)\"")
        .matcher(svg);
    assertTrue(area.find());
    double left = Double.parseDouble(area.group(1));
    double top = Double.parseDouble(area.group(2));
    double w = Double.parseDouble(area.group(3));
    double hgt = Double.parseDouble(area.group(4));
    double xLo = Double.parseDouble(area.group(5));
    double xHi = Double.parseDouble(area.group(6));
    double lo = Double.parseDouble(area.group(7));
    double hi = Double.parseDouble(area.group(8));
    boolean log = area.group(9).equals("log");
    Matcher path = Pattern.compile("data-name=\"" + Pattern.quote(series) + "\"><path d=\"([^\"]*)\"").matcher(svg);
    assertTrue(path.find(), series);
    List<double[]> out = new ArrayList<>();
    Matcher pt = Pattern.compile("([ML])(-?[\\d.]+) (-?[\\d.]+)").matcher(path.group(1));
    while (pt.find()) {
      double x = Double.parseDouble(pt.group(2));
      double y = Double.parseDouble(pt.group(3));
      double epoch = xLo + (x - left) / w * (xHi - xLo);
      double u = lo + (top + hgt - y) / hgt * (hi - lo);
      out.add(new double[] {epoch, log ? Math.pow(10, u) : u, pt.group(1).equals("M") ? 1 : 0});
    }
    return out;
  }

  @Test
  void lossChartPointsMapBackToHistoryValues() {
    History h = realistic(0, 0, "d");
    String svg = chart(TrainingReport.html(h, "t"), "chart-loss");
    for (String name : new String[] {"loss", "val_loss"}) {
      double[] values = h.get(name);
      List<double[]> pts = plotted(svg, name);
      assertEquals(values.length, pts.size());
      for (int i = 0; i < values.length; i++) {
        assertEquals(i + 1, pts.get(i)[0], 0.01);
        // 0.005 px rounding of a 260 px tall plot of a ~3-wide domain
        assertEquals(values[i], pts.get(i)[1], 1e-3, name + " epoch " + (i + 1));
      }
    }
    // the log-scaled gradient chart inverts too
    String grad = chart(TrainingReport.html(realistic(0, 0, "a", "b", "c"), "t"), "chart-grad-norm");
    double[] gc = realistic(0, 0, "a", "b", "c").get("grad_norm/c");
    List<double[]> pts = plotted(grad, "c");
    for (int i = 0; i < gc.length; i++) {
      assertEquals(gc[i], pts.get(i)[1], gc[i] * 1e-3);
    }
  }

  @Test
  void nonFiniteValuesLeaveAGap() {
    List<Map<String, Double>> epochs = new ArrayList<>();
    double[] loss = {1.0, 0.8, Double.NaN, 0.5, 0.4};
    for (double v : loss) {
      epochs.add(Map.of("loss", v));
    }
    String html = TrainingReport.html(HistoryFixtures.of(epochs, 0, 0, false), "t");
    List<double[]> pts = plotted(chart(html, "chart-loss"), "loss");
    assertEquals(4, pts.size());
    assertEquals(1, pts.get(0)[2]);
    assertEquals(1, pts.get(2)[2], "a new subpath starts after the NaN");
    assertEquals(4, pts.get(2)[0], 0.01);
    assertTrue(html.contains("<td>NaN</td>"));
  }

  @Test
  void tickLabelsAreRoundNumbers() {
    assertEquals(0.5, LineChart.niceStep(0.43), 1e-12);
    assertEquals(1.0, LineChart.niceStep(1.0), 1e-12);
    assertEquals(2.0, LineChart.niceStep(1.3), 1e-12);
    assertEquals(0.02, LineChart.niceStep(0.017), 1e-12);
    assertEquals(10.0, LineChart.niceStep(7), 1e-12);
    String svg = chart(TrainingReport.html(realistic(0, 0), "t"), "chart-accuracy");
    Matcher m = Pattern.compile("class=\"tick y-tick\"[^>]*>([^<]*)<").matcher(svg);
    List<Double> ticks = new ArrayList<>();
    while (m.find()) {
      assertTrue(m.group(1).length() <= 6, m.group(1));
      ticks.add(Double.parseDouble(m.group(1)));
    }
    assertTrue(ticks.size() >= 3);
    double step = ticks.get(1) - ticks.get(0);
    double nice = LineChart.niceStep(step * 0.999);
    assertEquals(nice, step, 1e-9);
    for (double t : ticks) {
      assertEquals(0, Math.abs(t / step - Math.rint(t / step)), 1e-6, "tick " + t);
    }
  }

  @Test
  void earlyStoppingMarkersOnlyWhenSet() {
    String with = TrainingReport.html(realistic(12, 8, "d"), "t");
    int charts = count(with, "<svg");
    assertEquals(charts, count(with, "class=\"marker-stopped\" data-epoch=\"12\""));
    assertEquals(charts, count(with, "class=\"marker-best\" data-epoch=\"8\""));
    assertTrue(with.contains("stopped (epoch 12)"));
    assertTrue(with.contains("best (epoch 8, weights restored)"));
    assertTrue(with.contains("<tr class=\"best\"><th>8</th>"));

    String bestOnly = TrainingReport.html(realistic(0, 5, "d"), "t");
    assertEquals(0, count(bestOnly, "class=\"marker-stopped\""));
    assertEquals(count(bestOnly, "<svg"), count(bestOnly, "class=\"marker-best\" data-epoch=\"5\""));

    String none = TrainingReport.html(realistic(0, 0, "d"), "t");
    assertEquals(0, count(none, "class=\"marker-stopped\""));
    assertEquals(0, count(none, "class=\"marker-best\""));
    assertFalse(none.contains("Stopped early"));
    assertFalse(none.contains("Best epoch"));
  }

  @Test
  void escapesNamesAndTitle() {
    String layer = "x<y>&\"z'";
    String title = "<script>alert('t&t')</script>";
    String html = TrainingReport.html(realistic(0, 0, layer), title);
    assertFalse(html.contains(layer));
    assertFalse(html.contains(title));
    assertFalse(html.toLowerCase(Locale.ROOT).contains("<script"));
    String escaped = "x&lt;y&gt;&amp;&quot;z&#39;";
    assertTrue(html.contains("data-name=\"" + escaped + "\""));
    assertTrue(html.contains("<th>grad_norm/" + escaped + "</th>"));
    assertTrue(html.contains("<title>&lt;script&gt;alert(&#39;t&amp;t&#39;)&lt;/script&gt;</title>"));
    assertTrue(html.contains("<h1>&lt;script&gt;alert(&#39;t&amp;t&#39;)&lt;/script&gt;</h1>"));
    // every '<' in the page opens a known tag: no element came from data
    Matcher m = Pattern.compile("<(/?)([a-zA-Z!][a-zA-Z0-9]*)").matcher(html);
    List<String> allowed = List.of("!DOCTYPE", "html", "head", "meta", "title", "style", "body", "h1",
        "h2", "ul", "li", "p", "pre", "figure", "svg", "text", "g", "rect", "line", "path", "circle", "div",
        "table", "thead", "tbody", "tr", "th", "td");
    while (m.find()) {
      assertTrue(allowed.contains(m.group(2)), m.group(2));
    }
  }

  @Test
  void deterministicAndWrittenAtomically(@TempDir Path dir) throws IOException {
    History h = realistic(12, 8, "dense1", "out");
    String a = TrainingReport.html(h, "run");
    String b = TrainingReport.html(realistic(12, 8, "dense1", "out"), "run");
    assertEquals(a, b);
    Locale saved = Locale.getDefault();
    try {
      Locale.setDefault(Locale.GERMANY);
      assertEquals(a, TrainingReport.html(h, "run"));
    } finally {
      Locale.setDefault(saved);
    }
    Path file = dir.resolve("sub").resolve("report.html");
    TrainingReport.write(h, "run", file);
    Files.writeString(file, "old");
    TrainingReport.write(h, "run", file);
    assertEquals(a, Files.readString(file, StandardCharsets.UTF_8));
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertEquals(List.of(file), files.toList(), "no temporary file left");
    }
  }

  @Test
  void singleEpochAndEmptyHistory() {
    String one = TrainingReport.html(HistoryFixtures.of(List.of(Map.of("loss", 0.7)), 0, 0, false), "t");
    List<double[]> pts = plotted(chart(one, "chart-loss"), "loss");
    assertEquals(1, pts.size());
    assertEquals(0.7, pts.get(0)[1], 1e-3);
    String empty = TrainingReport.html(HistoryFixtures.of(List.of(), 0, 0, false), "");
    assertEquals(0, count(empty, "<svg"));
    assertTrue(empty.contains("<h1>Training report</h1>"));
  }

  private static List<String> yTickLabels(String svg) {
    Matcher m = Pattern.compile("class=\"tick y-tick\"[^>]*>([^<]*)<").matcher(svg);
    List<String> labels = new ArrayList<>();
    while (m.find()) {
      labels.add(m.group(1));
    }
    return labels;
  }

  /**
   * The loss chart is logarithmic whenever the loss is positive; within two decades its ticks are 1,
   * 2 and 5 times powers of ten and the domain the nearest of them around the data. realistic()'s
   * loss runs from 1.84 (epoch 1) to 0.163 (epoch 12), val_loss from 2.06 to 0.303: 0.1 to 5.
   */
  @Test
  void lossIsOnALogScaleWithOneTwoFiveTicks() {
    String svg = chart(TrainingReport.html(realistic(0, 0), "t"), "chart-loss");
    assertTrue(svg.contains("data-y-scale=\"log\""));
    assertTrue(svg.contains("Loss (log scale)"));
    assertEquals(List.of("0.1", "0.2", "0.5", "1", "2", "5"), yTickLabels(svg));
    assertTrue(svg.contains("data-y-domain=\"-1.0 " + Math.log10(5) + "\""), svg.substring(0, 400));
    List<Map<String, Double>> epochs = new ArrayList<>();
    for (double v : new double[] {0.5, 0.0, 0.4}) {
      epochs.add(Map.of("loss", v)); // a zero loss cannot be drawn on a log scale: linear
    }
    assertTrue(chart(TrainingReport.html(HistoryFixtures.of(epochs, 0, 0, false), "t"), "chart-loss")
        .contains("data-y-scale=\"linear\""));
  }

  /** 1,000 epochs: every 50th row (niceStep(1000 / 30)), plus the first, best and stopped ones. */
  @Test
  void longRunsKeepTheTableShort() {
    List<Map<String, Double>> epochs = new ArrayList<>();
    for (int e = 1; e <= 1000; e++) {
      epochs.add(Map.of("loss", 1.0 / e));
    }
    String html = TrainingReport.html(HistoryFixtures.of(epochs, 1000, 437, true), "t");
    String table = html.substring(html.indexOf("<table class=\"values\""));
    Matcher row = Pattern.compile("<tr[^>]*><th>(\\d+)</th>").matcher(table);
    List<Integer> shown = new ArrayList<>();
    while (row.find()) {
      shown.add(Integer.parseInt(row.group(1)));
    }
    List<Integer> expected = new ArrayList<>();
    for (int e = 1; e <= 1000; e++) {
      if (e == 1 || e % 50 == 0 || e == 437) {
        expected.add(e);
      }
    }
    assertEquals(expected, shown);
    assertEquals(22, shown.size());
    assertTrue(table.contains("<tr class=\"best\"><th>437</th><td>" + TrainingReport.format(1.0 / 437) + "</td>"));
    assertTrue(table.contains("<tr class=\"stopped\"><th>1000</th>"));
    assertTrue(html.contains("Every 50 epochs, plus the first, the last and the marked ones"));
    assertEquals(1, TrainingReport.tableStride(60));
    assertEquals(5, TrainingReport.tableStride(61));
  }

  /**
   * With the best epoch's weights restored, the headline gives that epoch's values as the model's
   * and the last epoch's beside them; without restoring, the last epoch's are the model's.
   */
  @Test
  void headlineShowsTheValuesOfTheWeightsTheModelHolds() {
    History h = realistic(12, 8, "d");
    String html = TrainingReport.html(h, "t");
    String headline = html.substring(html.indexOf("<table class=\"facts headline\">"));
    headline = headline.substring(0, headline.indexOf("</table>"));
    assertTrue(headline.contains("<thead><tr><th></th><th>loss</th><th>accuracy</th><th>val_loss</th>"
        + "<th>val_accuracy</th><th>lr</th></tr></thead>"), headline);
    String held = "<tr class=\"held\"><th>Model&#39;s weights: best epoch 8 (restored)</th><td>"
        + TrainingReport.format(h.get("loss")[7]) + "</td><td>" + TrainingReport.format(h.get("accuracy")[7])
        + "</td><td>" + TrainingReport.format(h.get("val_loss")[7]) + "</td>";
    assertTrue(headline.contains(held), headline);
    assertTrue(headline.contains("<tr class=\"last\"><th>Last epoch (12)</th><td>"
        + TrainingReport.format(h.get("loss")[11]) + "</td>"), headline);

    String kept = TrainingReport.html(HistoryFixtures.of(List.of(Map.of("loss", 0.5), Map.of("loss", 0.25)), 0, 1,
        false), "t");
    assertTrue(kept.contains("<tr class=\"held\"><th>Final (epoch 2)</th><td>0.250000</td></tr>"), kept);
    assertTrue(kept.contains("<tr class=\"best\"><th>Best epoch (1, not restored)</th><td>0.500000</td></tr>"));
  }

  @Test
  void showsTheModelHyperparametersAndTestEvaluation() {
    History h = realistic(0, 0, "d");
    dev.kiln.runtime.HistoryFixtures.param(h, "optimizer", "Adam(lr=0.001, beta1=0.9)");
    dev.kiln.runtime.HistoryFixtures.param(h, "batch_size", "64");
    String summary = "Model: \"Mlp\"\n| dense <1> |\n";
    String html = TrainingReport.html(h, "t", summary, new dev.kiln.runtime.Evaluation(0.3456789, 0.875));
    assertTrue(html.contains("<p class=\"test\">Test evaluation: loss 0.345679, accuracy 0.875000</p>"));
    assertTrue(html.contains("<tr><th>optimizer</th><td>Adam(lr=0.001, beta1=0.9)</td></tr>\n"
        + "<tr><th>batch size</th><td>64</td></tr>"), html);
    assertTrue(html.contains("<pre class=\"model-summary\">Model: &quot;Mlp&quot;\n| dense &lt;1&gt; |\n</pre>"));
    assertTrue(html.indexOf("model-summary") < html.indexOf("<svg"));
    String plain = TrainingReport.html(realistic(0, 0, "d"), "t");
    assertFalse(plain.contains("<h2>Hyperparameters") || plain.contains("class=\"model-summary\"")
        || plain.contains("Test evaluation"));
  }

  @Test
  void confusionMatrixIsAShadedTableBeforeTheValues() {
    int[][] confusion = {{3, 1}, {0, 4}};
    String html = TrainingReport.html(realistic(3, 0, "a"), "t", confusion, List.of("cat", "dog & co"));
    int section = html.indexOf("<h2>Confusion matrix</h2>");
    assertTrue(section > 0 && section < html.indexOf("<h2>Per-epoch values</h2>"), html);
    assertTrue(html.contains("<thead><tr><th>true \\ predicted</th><th>cat</th><th>dog &amp; co</th></tr></thead>"),
        html);
    // Row "cat": 3 of 4 (0.75, white text), 1 of 4; row "dog": 0 of 4, 4 of 4.
    assertTrue(html.contains("<tr><th>cat</th><td style=\"background:rgba(31,119,180,0.750);color:#fff\">3</td>"
        + "<td style=\"background:rgba(31,119,180,0.250)\">1</td></tr>"), html);
    assertTrue(html.contains("<tr><th>dog &amp; co</th><td style=\"background:rgba(31,119,180,0.000)\">0</td>"
        + "<td style=\"background:rgba(31,119,180,1.000);color:#fff\">4</td></tr>"), html);
    assertFalse(html.toLowerCase(Locale.ROOT).contains("<script"));
    assertThrows(IllegalArgumentException.class,
        () -> TrainingReport.html(realistic(3, 0, "a"), "t", confusion, List.of("one")));
  }
}
