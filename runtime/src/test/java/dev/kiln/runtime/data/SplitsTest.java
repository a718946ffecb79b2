package dev.kiln.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitsTest {
  /** 150 Iris-like labels: 50 of each of three classes, interleaved. */
  static int[] irisLabels() {
    return IntStream.range(0, 150).map(i -> i % 3).toArray();
  }

  static int[] count(int[] labels, int[] indices, int classes) {
    int[] c = new int[classes];
    for (int i : indices) {
      c[labels[i]]++;
    }
    return c;
  }

  static void assertPartition(int n, int[]... parts) {
    int[] all = Arrays.stream(parts).flatMapToInt(Arrays::stream).sorted().toArray();
    assertArrayEquals(IntStream.range(0, n).toArray(), all);
  }

  @Test
  void stratifiedSplitKeepsClassProportions() {
    int[] labels = irisLabels();
    Splits.Split s = Splits.stratified(labels, 0.2, 42);
    assertEquals(120, s.train().length);
    assertEquals(30, s.test().length);
    assertArrayEquals(new int[] {10, 10, 10}, count(labels, s.test(), 3));
    assertArrayEquals(new int[] {40, 40, 40}, count(labels, s.train(), 3));
    assertPartition(150, s.train(), s.test());
    // grouped by class in ascending label order
    for (int i = 0; i < 30; i++) {
      assertEquals(i / 10, labels[s.test()[i]]);
    }
  }

  @Test
  void testFractionIsRoundedPerClass() {
    // classes of 5, 3 and 1 samples; 0.3 of them is 1.5 -> 2, 0.9 -> 1, 0.3 -> 0
    int[] labels = {7, 7, 7, 7, 7, 2, 2, 2, 9};
    Splits.Split s = Splits.stratified(labels, 0.3, 1);
    assertArrayEquals(new int[] {1, 2, 0}, new int[] {
        (int) Arrays.stream(s.test()).filter(i -> labels[i] == 2).count(),
        (int) Arrays.stream(s.test()).filter(i -> labels[i] == 7).count(),
        (int) Arrays.stream(s.test()).filter(i -> labels[i] == 9).count()});
    assertEquals(6, s.train().length);
    assertPartition(9, s.train(), s.test());
  }

  @Test
  void splitsAreDeterministicForASeed() {
    int[] labels = irisLabels();
    assertEquals(Splits.stratified(labels, 0.2, 42), Splits.stratified(labels, 0.2, 42));
    assertNotEquals(Splits.stratified(labels, 0.2, 42), Splits.stratified(labels, 0.2, 43));
    assertEquals(Splits.random(10, 0.3, 5), Splits.random(10, 0.3, 5));
    assertEquals(Splits.kFold(10, 3, 5), Splits.kFold(10, 3, 5));
    assertEquals(Splits.stratifiedKFold(labels, 5, 9), Splits.stratifiedKFold(labels, 5, 9));
    assertNotEquals(Splits.kFold(10, 3, 5), Splits.kFold(10, 3, 6));
  }

  @Test
  void matchesTheSamplesHandWrittenSplit() {
    // IrisData's loop: per class, Fisher-Yates with one SplittableRandom, first round(n*f) test
    int[] labels = irisLabels();
    java.util.SplittableRandom random = new java.util.SplittableRandom(42);
    List<Integer> test = new java.util.ArrayList<>();
    for (int c = 0; c < 3; c++) {
      List<Integer> members = new java.util.ArrayList<>();
      for (int i = 0; i < labels.length; i++) {
        if (labels[i] == c) {
          members.add(i);
        }
      }
      for (int i = members.size() - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        members.set(i, members.set(j, members.get(i)));
      }
      test.addAll(members.subList(0, (int) Math.round(members.size() * 0.2)));
    }
    assertArrayEquals(test.stream().mapToInt(Integer::intValue).toArray(),
        Splits.stratified(labels, 0.2, 42).test());
  }

  @Test
  void randomSplit() {
    Splits.Split s = Splits.random(10, 0.25, 3);
    assertEquals(3, s.test().length); // round(2.5) = 3
    assertEquals(7, s.train().length);
    assertPartition(10, s.train(), s.test());
  }

  @Test
  void kFoldCoversEverySampleOnceAsValidation() {
    List<Splits.Fold> folds = Splits.kFold(10, 3, 11);
    assertEquals(3, folds.size());
    int[][] validation = folds.stream().map(Splits.Fold::validation).toArray(int[][]::new);
    assertPartition(10, validation);
    int[] sizes = Arrays.stream(validation).mapToInt(v -> v.length).sorted().toArray();
    assertArrayEquals(new int[] {3, 3, 4}, sizes);
    for (Splits.Fold f : folds) {
      assertPartition(10, f.train(), f.validation());
      int[] v = f.validation();
      int[] sorted = v.clone();
      Arrays.sort(sorted);
      assertArrayEquals(sorted, v, "validation indices ascending");
    }
    List<Splits.Fold> loo = Splits.kFold(4, 4, 0);
    assertTrue(loo.stream().allMatch(f -> f.validation().length == 1 && f.train().length == 3));
  }

  @Test
  void stratifiedKFoldBalancesClasses() {
    int[] labels = irisLabels();
    List<Splits.Fold> folds = Splits.stratifiedKFold(labels, 5, 2);
    assertEquals(5, folds.size());
    assertPartition(150, folds.stream().map(Splits.Fold::validation).toArray(int[][]::new));
    for (Splits.Fold f : folds) {
      assertArrayEquals(new int[] {10, 10, 10}, count(labels, f.validation(), 3));
      assertArrayEquals(new int[] {40, 40, 40}, count(labels, f.train(), 3));
      assertPartition(150, f.train(), f.validation());
    }
    // uneven: 7 of class 0, 2 of class 1, k = 3 -> fold sizes 3, 3, 3
    int[] uneven = {0, 1, 0, 0, 0, 1, 0, 0, 0};
    List<Splits.Fold> u = Splits.stratifiedKFold(uneven, 3, 4);
    assertPartition(9, u.stream().map(Splits.Fold::validation).toArray(int[][]::new));
    for (Splits.Fold f : u) {
      assertEquals(3, f.validation().length);
      int zeros = count(uneven, f.validation(), 2)[0];
      assertTrue(zeros == 2 || zeros == 3, "class 0 per fold: " + zeros);
    }
  }

  @Test
  void selectGathersRows() {
    float[][] x = {{1}, {2}, {3}};
    assertArrayEquals(new float[][] {{3}, {1}}, Splits.select(x, new int[] {2, 0}));
    assertArrayEquals(new int[] {30, 10}, Splits.select(new int[] {10, 20, 30}, new int[] {2, 0}));
  }

  @Test
  void validatesArguments() {
    int[] labels = irisLabels();
    for (double f : new double[] {0, 1, -0.1, 1.5, Double.NaN}) {
      assertThrows(IllegalArgumentException.class, () -> Splits.stratified(labels, f, 1));
      assertThrows(IllegalArgumentException.class, () -> Splits.random(10, f, 1));
    }
    assertThrows(IllegalArgumentException.class, () -> Splits.stratified(new int[0], 0.5, 1));
    assertThrows(IllegalArgumentException.class, () -> Splits.random(0, 0.5, 1));
    assertThrows(IllegalArgumentException.class, () -> Splits.kFold(10, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> Splits.kFold(10, 11, 1));
    assertThrows(IllegalArgumentException.class,
        () -> Splits.stratifiedKFold(new int[] {0, 1}, 3, 1));
    assertThrows(IllegalArgumentException.class, () -> Splits.stratifiedKFold(labels, 1, 1));
  }
}
