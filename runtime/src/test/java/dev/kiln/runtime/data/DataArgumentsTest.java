package dev.kiln.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.io.AtomicFiles;
import dev.kiln.runtime.io.SafeTensors;
import dev.kiln.runtime.io.SafeTensorsFile;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad arguments to the data and io APIs fail at once with an exception that says what is wrong,
 * before anything is computed or written.
 */
class DataArgumentsTest {
  @TempDir Path dir;

  private static final float[][] TRAIN = StandardizerTest.TRAIN;

  // ------------------------------------------------------------------ Standardizer: non-finite values

  @Test
  void fitRejectsNaNNamingRowAndColumn() {
    float[][] rows = {{1, 2, 3}, {4, 5, 6}, {7, Float.NaN, 9}};
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Standardizer.fit(rows));
    assertEquals("row 2, column 1 is NaN: NaN and infinite values cannot be standardized", e.getMessage());
  }

  @Test
  void fitRejectsInfinityNamingRowAndColumn() {
    float[][] rows = {{1, 2, Float.NEGATIVE_INFINITY}, {4, 5, 6}};
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Standardizer.fit(rows));
    assertEquals("row 0, column 2 is -Infinity: NaN and infinite values cannot be standardized", e.getMessage());
  }

  @Test
  void transformRejectsNonFiniteValuesBeforeWritingAnyRow() {
    Standardizer s = Standardizer.fit(TRAIN);
    float[][] rows = {{1, 10, 5}, {2, Float.POSITIVE_INFINITY, 5}};
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.transform(rows));
    assertEquals("row 1, column 1 is Infinity: NaN and infinite values cannot be standardized", e.getMessage());
    IllegalArgumentException one = assertThrows(IllegalArgumentException.class,
        () -> s.transform(new float[] {Float.NaN, 1, 1}));
    assertEquals("row, column 0 is NaN: NaN and infinite values cannot be standardized", one.getMessage());
    IllegalArgumentException inverse = assertThrows(IllegalArgumentException.class,
        () -> s.inverse(new float[] {0, 0, Float.NaN}));
    assertEquals("row, column 2 is NaN: NaN and infinite values cannot be standardized", inverse.getMessage());
    assertArrayEquals(new float[] {1, 10, 5}, rows[0], "the input is untouched");
  }

  // ------------------------------------------------------------------ Splits: labels and indices

  @Test
  void stratifiedSplitRejectsANegativeLabel() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Splits.stratified(new int[] {0, 1, -1, 1}, 0.5, 1));
    assertEquals("labels[2] is -1: class labels must be non-negative class indices", e.getMessage());
  }

  @Test
  void stratifiedKFoldRejectsANegativeLabel() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Splits.stratifiedKFold(new int[] {-3, 0, 1, 1}, 2, 1));
    assertEquals("labels[0] is -3: class labels must be non-negative class indices", e.getMessage());
  }

  @Test
  void selectRejectsIndicesOutOfRange() {
    IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
        () -> Splits.select(TRAIN, new int[] {0, 4}));
    assertEquals("indices[1] is 4, outside [0, 4)", rows.getMessage());
    IllegalArgumentException values = assertThrows(IllegalArgumentException.class,
        () -> Splits.select(new int[] {5, 6}, new int[] {-1}));
    assertEquals("indices[0] is -1, outside [0, 2)", values.getMessage());
  }

  // ------------------------------------------------------------------ null arguments, each named

  private static void assertNamedNull(String name, Executable call) {
    NullPointerException e = assertThrows(NullPointerException.class, call, name);
    assertEquals(name, e.getMessage());
  }

  @Test
  void nullArgumentsAreNamed() throws Exception {
    Path csv = Files.writeString(dir.resolve("a.csv"), "x,y\n1,0\n");
    Path npy = dir.resolve("a.npy");
    Npy.writeFloat32(npy, new int[] {1}, new float[] {1});
    Path st = dir.resolve("a.safetensors");
    SafeTensors.write(st, List.of(SafeTensors.Tensor.of("w", new float[] {1}, 1)), Map.of());
    SafeTensorsFile file = SafeTensors.read(st);
    int[] shape = {1};

    assertNamedNull("path", () -> Idx.read(null));
    assertNamedNull("array", () -> Idx.images(null));
    assertNamedNull("array", () -> Idx.labels(null));
    assertNamedNull("path", () -> Npy.read(null));
    assertNamedNull("path", () -> Npy.write(null, NpyArray.ofFloats(shape, new float[] {1})));
    assertNamedNull("array", () -> Npy.write(npy, null));
    assertNamedNull("values", () -> Npy.writeFloat32(npy, shape, null));
    assertNamedNull("shape", () -> Npy.writeInt64(npy, null, new long[] {1}));
    assertNamedNull("values", () -> NpyArray.ofDoubles(shape, null));
    assertNamedNull("values", () -> NpyArray.ofInts(shape, null));
    assertNamedNull("shape", () -> NpyArray.ofLongs(null, new long[] {1}));
    assertNamedNull("path", () -> Csv.read((Path) null, 0));
    assertNamedNull("path", () -> Csv.read((Path) null, "y"));
    assertNamedNull("labelColumn", () -> Csv.read(csv, null));
    assertNamedNull("reader", () -> Csv.read(null, "s", 0));
    assertNamedNull("source", () -> Csv.read(new StringReader("x,y\n1,0\n"), null, "y"));
    assertNamedNull("featureNames", () -> new Csv.Table(null, "y", new float[0][], new int[0], List.of()));
    assertNamedNull("classes", () -> new Csv.Table(List.of(), "y", new float[0][], new int[0], null));
    assertNamedNull("rows", () -> Standardizer.fit(null));
    assertNamedNull("rows[1]", () -> Standardizer.fit(new float[][] {{1}, null}));
    assertNamedNull("rows", () -> Standardizer.fit(TRAIN).transform((float[][]) null));
    assertNamedNull("row", () -> Standardizer.fit(TRAIN).transform((float[]) null));
    assertNamedNull("row 1", () -> Standardizer.fit(TRAIN).transform(new float[][] {TRAIN[0], null}));
    assertNamedNull("row", () -> Standardizer.fit(TRAIN).inverse(null));
    assertNamedNull("mean", () -> Standardizer.of(null, new double[] {1}));
    assertNamedNull("labels", () -> Splits.stratified(null, 0.5, 1));
    assertNamedNull("labels", () -> Splits.stratifiedKFold(null, 2, 1));
    assertNamedNull("rows", () -> Splits.select((float[][]) null, new int[0]));
    assertNamedNull("indices", () -> Splits.select(TRAIN, null));
    assertNamedNull("indices", () -> Splits.select(new int[] {1}, null));
    assertNamedNull("labels", () -> FashionMnist.oneHot(null, 10));
    assertNamedNull("directory", () -> FashionMnist.load(null));
    assertNamedNull("path", () -> SafeTensors.read(null));
    assertNamedNull("tensors", () -> SafeTensors.write(st, null, Map.of()));
    assertNamedNull("name", () -> file.contains(null));
    assertNamedNull("name", () -> file.info(null));
    assertNamedNull("expectedShape", () -> file.floats("w", (long[]) null));
    assertNamedNull("destination", () -> file.floatsInto("w", null, 0, 1));
    assertNamedNull("shape", () -> new dev.kiln.safetensors.TensorInfo("w", dev.kiln.safetensors.DType.F32, null, 0, 4));
    assertNamedNull("path", () -> AtomicFiles.write(null, channel -> { }));
    try (FileChannel channel = FileChannel.open(dir.resolve("c"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      assertNamedNull("buffer", () -> AtomicFiles.writeFully(channel, null));
    }
    assertNamedNull("channel", () -> AtomicFiles.writeFully(null, ByteBuffer.allocate(1)));
    // Nothing was written by the failed calls: the files made above are unchanged.
    assertArrayEquals(new float[] {1}, Npy.read(npy).toFloatArray());
    assertArrayEquals(new float[] {1}, SafeTensors.read(st).floats("w"));
  }
}
