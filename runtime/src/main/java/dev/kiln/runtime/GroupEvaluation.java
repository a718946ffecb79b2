package dev.kiln.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An evaluation per group of samples (a fairness audit: the same metrics for each group and the
 * largest gap between groups), from {@link ModelCore#evaluateByGroup}.
 *
 * @param groups each group's evaluation, groups in sorted order
 * @param sizes each group's number of samples
 */
public record GroupEvaluation(Map<String, Evaluation> groups, Map<String, Integer> sizes) {
  public GroupEvaluation {
    groups = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(groups));
    sizes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sizes));
  }

  /**
   * Evaluates each group separately: {@code evaluate} runs on the rows of one group at a time.
   * Groups are sorted by name.
   */
  static GroupEvaluation of(float[][] x, float[][] y, String[] groupOf, Evaluator evaluate) {
    Objects.requireNonNull(groupOf, "groups");
    if (groupOf.length != x.length || groupOf.length != y.length) {
      throw new IllegalArgumentException(
          "one group label per sample: " + groupOf.length + " labels for " + x.length + " samples");
    }
    Map<String, List<Integer>> rows = new TreeMap<>();
    for (int i = 0; i < groupOf.length; i++) {
      rows.computeIfAbsent(Objects.requireNonNull(groupOf[i], "group of sample " + i), g -> new ArrayList<>()).add(i);
    }
    Map<String, Evaluation> groups = new LinkedHashMap<>();
    Map<String, Integer> sizes = new LinkedHashMap<>();
    for (Map.Entry<String, List<Integer>> e : rows.entrySet()) {
      List<Integer> indices = e.getValue();
      float[][] gx = new float[indices.size()][];
      float[][] gy = new float[indices.size()][];
      for (int i = 0; i < indices.size(); i++) {
        gx[i] = x[indices.get(i)];
        gy[i] = y[indices.get(i)];
      }
      groups.put(e.getKey(), evaluate.evaluate(gx, gy));
      sizes.put(e.getKey(), indices.size());
    }
    return new GroupEvaluation(groups, sizes);
  }

  /** How one group is evaluated. */
  @FunctionalInterface
  interface Evaluator {
    Evaluation evaluate(float[][] x, float[][] y);
  }

  /** A metric ({@link Evaluation#metric}) of each group. */
  public Map<String, Double> metric(String name) {
    Map<String, Double> out = new LinkedHashMap<>();
    groups.forEach((g, e) -> out.put(g, e.metric(name)));
    return out;
  }

  /** The largest difference of a metric between two groups (max - min); NaN if a group's value is. */
  public double gap(String name) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double v : metric(name).values()) {
      if (Double.isNaN(v)) {
        return Double.NaN;
      }
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return max - min;
  }

  /** A table: one row per group with its size and the named metrics, then the gap of each. */
  public String table(String... metricNames) {
    StringBuilder out = new StringBuilder();
    int nameWidth = 5;
    for (String g : groups.keySet()) {
      nameWidth = Math.max(nameWidth, g.length());
    }
    out.append(String.format(Locale.ROOT, "%-" + nameWidth + "s %7s", "group", "samples"));
    for (String m : metricNames) {
      out.append(String.format(Locale.ROOT, " %10s", m));
    }
    out.append('\n');
    for (Map.Entry<String, Evaluation> e : groups.entrySet()) {
      out.append(String.format(Locale.ROOT, "%-" + nameWidth + "s %7d", e.getKey(), sizes.get(e.getKey())));
      for (String m : metricNames) {
        out.append(String.format(Locale.ROOT, " %10.4f", e.getValue().metric(m)));
      }
      out.append('\n');
    }
    out.append(String.format(Locale.ROOT, "%-" + nameWidth + "s %7s", "gap", ""));
    for (String m : metricNames) {
      out.append(String.format(Locale.ROOT, " %10.4f", gap(m)));
    }
    out.append('\n');
    return out.toString();
  }
}
