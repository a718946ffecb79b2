package dev.kiln.runtime.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Seeded, reproducible train/test splits and k-fold cross-validation, returning sample indices.
 * Use {@link #select(float[][], int[])} and {@link #select(int[], int[])} to gather the rows.
 *
 * <p>Stratified variants keep each class's proportion: samples are grouped by label (classes in
 * ascending label order), each group is shuffled with a Fisher-Yates shuffle driven by one {@link
 * SplittableRandom} seeded with {@code seed}, and then divided. The same arguments always give the
 * same result.
 */
public final class Splits {
  private Splits() {}

  /**
   * A train/test split: disjoint index arrays that together cover every sample once. For
   * stratified splits the indices are grouped by class in ascending label order, shuffled within
   * each class; otherwise shuffled.
   */
  public record Split(int[] train, int[] test) {
    public Split {
      train = train.clone();
      test = test.clone();
    }

    @Override
    public int[] train() {
      return train.clone();
    }

    @Override
    public int[] test() {
      return test.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Split s && Arrays.equals(s.train, train) && Arrays.equals(s.test, test);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(train) + Arrays.hashCode(test);
    }

    @Override
    public String toString() {
      return "Split[train=" + train.length + ", test=" + test.length + "]";
    }
  }

  /**
   * One cross-validation fold: the validation indices (ascending) and all other indices as
   * training indices (ascending).
   */
  public record Fold(int[] train, int[] validation) {
    public Fold {
      train = train.clone();
      validation = validation.clone();
    }

    @Override
    public int[] train() {
      return train.clone();
    }

    @Override
    public int[] validation() {
      return validation.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Fold f && Arrays.equals(f.train, train)
          && Arrays.equals(f.validation, validation);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(train) + Arrays.hashCode(validation);
    }

    @Override
    public String toString() {
      return "Fold[train=" + train.length + ", validation=" + validation.length + "]";
    }
  }

  /**
   * Stratified train/test split: for each class (ascending label order) its samples are shuffled
   * and the first {@code Math.round(classSize * testFraction)} go to the test set, the rest to the
   * training set. A class of one sample may thus end up wholly in one set.
   *
   * @throws IllegalArgumentException if {@code labels} is empty or holds a negative label, or
   *     {@code testFraction} is not strictly between 0 and 1
   */
  public static Split stratified(int[] labels, double testFraction, long seed) {
    Objects.requireNonNull(labels, "labels");
    checkFraction(testFraction);
    if (labels.length == 0) {
      throw new IllegalArgumentException("labels is empty");
    }
    checkLabels(labels);
    SplittableRandom random = new SplittableRandom(seed);
    int[] train = new int[labels.length];
    int[] test = new int[labels.length];
    int nTrain = 0;
    int nTest = 0;
    for (int[] members : byClass(labels)) {
      shuffle(members, random);
      int testCount = (int) Math.round(members.length * testFraction);
      for (int i = 0; i < members.length; i++) {
        if (i < testCount) {
          test[nTest++] = members[i];
        } else {
          train[nTrain++] = members[i];
        }
      }
    }
    return new Split(Arrays.copyOf(train, nTrain), Arrays.copyOf(test, nTest));
  }

  /**
   * Random (unstratified) train/test split of {@code n} samples: indices shuffled, the first
   * {@code Math.round(n * testFraction)} for testing.
   *
   * @throws IllegalArgumentException if {@code n < 1} or {@code testFraction} is not strictly
   *     between 0 and 1
   */
  public static Split random(int n, double testFraction, long seed) {
    checkFraction(testFraction);
    if (n < 1) {
      throw new IllegalArgumentException("n must be at least 1, got " + n);
    }
    int[] order = identity(n);
    shuffle(order, new SplittableRandom(seed));
    int testCount = (int) Math.round(n * testFraction);
    return new Split(Arrays.copyOfRange(order, testCount, n), Arrays.copyOf(order, testCount));
  }

  /**
   * K-fold cross-validation of {@code n} samples: the shuffled indices are cut into {@code k}
   * contiguous folds whose sizes differ by at most one; each sample is in exactly one fold's
   * validation set.
   *
   * @throws IllegalArgumentException unless {@code 2 <= k <= n}
   */
  public static List<Fold> kFold(int n, int k, long seed) {
    checkK(n, k);
    int[] order = identity(n);
    shuffle(order, new SplittableRandom(seed));
    List<List<Integer>> folds = new ArrayList<>();
    for (int f = 0; f < k; f++) {
      List<Integer> fold = new ArrayList<>();
      int from = (int) ((long) f * n / k);
      int to = (int) ((long) (f + 1) * n / k);
      for (int i = from; i < to; i++) {
        fold.add(order[i]);
      }
      folds.add(fold);
    }
    return folds(n, folds);
  }

  /**
   * Stratified k-fold cross-validation: each class's samples (ascending label order) are shuffled
   * and dealt to the folds in turn, the dealing continuing across classes, so every fold gets each
   * class's samples in proportion (within one) and fold sizes differ by at most one. A class with
   * fewer than {@code k} samples is missing from some folds' validation sets.
   *
   * @throws IllegalArgumentException unless {@code 2 <= k <= labels.length}, or if a label is
   *     negative
   */
  public static List<Fold> stratifiedKFold(int[] labels, int k, long seed) {
    Objects.requireNonNull(labels, "labels");
    checkK(labels.length, k);
    checkLabels(labels);
    SplittableRandom random = new SplittableRandom(seed);
    List<List<Integer>> folds = new ArrayList<>();
    for (int f = 0; f < k; f++) {
      folds.add(new ArrayList<>());
    }
    int next = 0;
    for (int[] members : byClass(labels)) {
      shuffle(members, random);
      for (int m : members) {
        folds.get(next).add(m);
        next = (next + 1) % k;
      }
    }
    return folds(labels.length, folds);
  }

  /**
   * The rows at {@code indices}, in that order (the row arrays are shared, not copied).
   *
   * @throws IllegalArgumentException if an index is outside {@code [0, rows.length)}
   */
  public static float[][] select(float[][] rows, int[] indices) {
    Objects.requireNonNull(rows, "rows");
    checkIndices(indices, rows.length);
    float[][] out = new float[indices.length][];
    for (int i = 0; i < indices.length; i++) {
      out[i] = rows[indices[i]];
    }
    return out;
  }

  /**
   * The values at {@code indices}, in that order.
   *
   * @throws IllegalArgumentException if an index is outside {@code [0, values.length)}
   */
  public static int[] select(int[] values, int[] indices) {
    Objects.requireNonNull(values, "values");
    checkIndices(indices, values.length);
    int[] out = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      out[i] = values[indices[i]];
    }
    return out;
  }

  private static List<Fold> folds(int n, List<List<Integer>> validationSets) {
    List<Fold> out = new ArrayList<>();
    for (List<Integer> set : validationSets) {
      int[] validation = set.stream().mapToInt(Integer::intValue).sorted().toArray();
      boolean[] inValidation = new boolean[n];
      for (int v : validation) {
        inValidation[v] = true;
      }
      int[] train = new int[n - validation.length];
      int t = 0;
      for (int i = 0; i < n; i++) {
        if (!inValidation[i]) {
          train[t++] = i;
        }
      }
      out.add(new Fold(train, validation));
    }
    return List.copyOf(out);
  }

  /** Sample indices grouped by label, classes in ascending label order, indices ascending. */
  private static List<int[]> byClass(int[] labels) {
    Integer[] order = new Integer[labels.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> a.equals(b) ? 0
        : labels[a] != labels[b] ? Integer.compare(labels[a], labels[b]) : Integer.compare(a, b));
    List<int[]> groups = new ArrayList<>();
    int start = 0;
    for (int i = 1; i <= order.length; i++) {
      if (i == order.length || labels[order[i]] != labels[order[start]]) {
        int[] group = new int[i - start];
        for (int j = start; j < i; j++) {
          group[j - start] = order[j];
        }
        groups.add(group);
        start = i;
      }
    }
    return groups;
  }

  private static void shuffle(int[] a, SplittableRandom random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  private static int[] identity(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  /** Class labels are class indices: a negative one is a mistake (such as -1 for "unlabelled"). */
  private static void checkLabels(int[] labels) {
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0) {
        throw new IllegalArgumentException("labels[" + i + "] is " + labels[i]
            + ": class labels must be non-negative class indices");
      }
    }
  }

  private static void checkIndices(int[] indices, int size) {
    Objects.requireNonNull(indices, "indices");
    for (int i = 0; i < indices.length; i++) {
      if (indices[i] < 0 || indices[i] >= size) {
        throw new IllegalArgumentException(
            "indices[" + i + "] is " + indices[i] + ", outside [0, " + size + ")");
      }
    }
  }

  private static void checkFraction(double testFraction) {
    if (!(testFraction > 0 && testFraction < 1)) {
      throw new IllegalArgumentException(
          "testFraction must be strictly between 0 and 1, got " + testFraction);
    }
  }

  private static void checkK(int n, int k) {
    if (k < 2 || k > n) {
      throw new IllegalArgumentException(
          "k must be between 2 and the number of samples (" + n + "), got " + k);
    }
  }
}
