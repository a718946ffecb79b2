package dev.kiln.runtime.data;

import static dev.kiln.runtime.data.IdxTest.FIXTURE_LABELS;
import static dev.kiln.runtime.data.IdxTest.IMAGES_GZ;
import static dev.kiln.runtime.data.IdxTest.LABELS_GZ;
import static dev.kiln.runtime.data.IdxTest.LABELS_PLAIN;
import static dev.kiln.runtime.data.IdxTest.fixture;
import static dev.kiln.runtime.data.IdxTest.gunzip;
import static dev.kiln.runtime.data.IdxTest.gzip;
import static dev.kiln.runtime.data.IdxTest.idx;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.io.KilnFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests {@link FashionMnist} on a directory holding the committed 12-item excerpt under the four
 * standard names, on broken directories, and on the real data set when it is installed.
 */
class FashionMnistTest {
  @TempDir Path dir;

  /** Writes the 12-item fixture as both the training and the test set. */
  private void writeFixtureSet(boolean compressed) throws IOException {
    byte[] images = fixture(IMAGES_GZ);
    byte[] labels = fixture(LABELS_GZ);
    if (!compressed) {
      images = gunzip(images);
      labels = fixture(LABELS_PLAIN);
    }
    String suffix = compressed ? ".gz" : "";
    for (String set : new String[] {"train", "t10k"}) {
      Files.write(dir.resolve(set + "-images-idx3-ubyte" + suffix), images);
      Files.write(dir.resolve(set + "-labels-idx1-ubyte" + suffix), labels);
    }
  }

  private static void assertFixture(float[][] images, int[] labels) {
    assertEquals(12, images.length);
    assertArrayEquals(FIXTURE_LABELS, labels);
    for (float[] image : images) {
      assertEquals(FashionMnist.IMAGE_SIZE, image.length);
      for (float v : image) {
        assertTrue(v >= 0f && v <= 1f, "pixel " + v);
      }
    }
    assertEquals(0f, images[0][0]);
    assertEquals(73 / 255f, images[0][100]);
    assertEquals(217 / 255f, images[0][14 * 28 + 14]);
    assertEquals(251 / 255f, images[11][14 * 28 + 14]);
  }

  @Test
  void loadsGzipFiles() throws IOException {
    writeFixtureSet(true);
    assertTrue(FashionMnist.isAvailable(dir));
    FashionMnist data = FashionMnist.load(dir);
    assertEquals(dir, data.directory());
    assertFixture(data.trainImages(), data.trainLabels());
    assertFixture(data.testImages(), data.testLabels());
    assertSame(data.trainLabels(), data.trainLabels());
    assertEquals("FashionMnist[" + dir + ", 12 train, 12 test]", data.toString());
  }

  @Test
  void loadsUncompressedFiles() throws IOException {
    writeFixtureSet(false);
    assertTrue(FashionMnist.isAvailable(dir));
    FashionMnist data = FashionMnist.load(dir);
    assertFixture(data.trainImages(), data.trainLabels());
    assertFixture(data.testImages(), data.testLabels());
  }

  @Test
  void missingDirectoryExplainsHowToInstall() {
    Path missing = dir.resolve("no-such-directory");
    assertFalse(FashionMnist.isAvailable(missing));
    NoSuchFileException e =
        assertThrows(NoSuchFileException.class, () -> FashionMnist.load(missing));
    assertFalse(KilnFormatException.class.isInstance(e));
    String message = e.getMessage();
    assertTrue(message.contains("apt-get install dataset-fashion-mnist"), message);
    assertTrue(message.contains(FashionMnist.INSTALL_COMMAND), message);
    assertTrue(message.contains(missing.toString()), message);
    assertTrue(message.contains("does not exist"), message);
    assertTrue(message.contains("train-images-idx3-ubyte"), message);
    assertTrue(message.contains("any directory"), message);
    assertEquals(missing.resolve("train-images-idx3-ubyte").toString(), e.getFile());
  }

  @Test
  void missingFileIsNamed() throws IOException {
    writeFixtureSet(true);
    Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
    assertFalse(FashionMnist.isAvailable(dir));
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> FashionMnist.load(dir));
    String message = e.getMessage();
    assertTrue(message.contains("lacks t10k-labels-idx1-ubyte"), message);
    assertFalse(message.contains("lacks train"), message);
    assertTrue(message.contains("apt-get install dataset-fashion-mnist"), message);
    assertEquals(dir.resolve("t10k-labels-idx1-ubyte").toString(), e.getFile());
  }

  @Test
  void rejectsCountMismatch() throws IOException {
    writeFixtureSet(true);
    byte[] labels = fixture(LABELS_PLAIN);
    labels[7] = 11; // item count 11, one byte left over
    Files.write(dir.resolve("train-labels-idx1-ubyte.gz"),
        gzip(Arrays.copyOf(labels, labels.length - 1)));
    KilnFormatException e = assertThrows(KilnFormatException.class, () -> FashionMnist.load(dir));
    assertTrue(e.getMessage().contains("train-labels-idx1-ubyte.gz"), e.getMessage());
    assertTrue(e.getMessage().contains("11 labels but"), e.getMessage());
    assertTrue(e.getMessage().contains("12 images"), e.getMessage());
  }

  @Test
  void rejectsImagesThatAreNot28By28() throws IOException {
    writeFixtureSet(true);
    Files.write(dir.resolve("t10k-images-idx3-ubyte.gz"),
        gzip(idx(8, new int[] {12, 28, 27}, new byte[12 * 28 * 27])));
    KilnFormatException e = assertThrows(KilnFormatException.class, () -> FashionMnist.load(dir));
    assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte.gz"), e.getMessage());
    assertTrue(e.getMessage().contains("[12, 28, 27]"), e.getMessage());

    Files.write(dir.resolve("t10k-images-idx3-ubyte.gz"),
        gzip(idx(8, new int[] {12, 784}, new byte[12 * 784])));
    e = assertThrows(KilnFormatException.class, () -> FashionMnist.load(dir));
    assertTrue(e.getMessage().contains("[12, 784]"), e.getMessage());
  }

  @Test
  void rejectsLabelsOutOfRange() throws IOException {
    writeFixtureSet(false);
    byte[] labels = fixture(LABELS_PLAIN);
    labels[8 + 5] = 10;
    Files.write(dir.resolve("train-labels-idx1-ubyte"), labels);
    KilnFormatException e = assertThrows(KilnFormatException.class, () -> FashionMnist.load(dir));
    assertTrue(e.getMessage().contains("train-labels-idx1-ubyte"), e.getMessage());
    assertTrue(e.getMessage().contains("label 10 of item 5"), e.getMessage());

    Files.write(dir.resolve("train-labels-idx1-ubyte"), idx(8, new int[] {12, 1}, new byte[12]));
    e = assertThrows(KilnFormatException.class, () -> FashionMnist.load(dir));
    assertTrue(e.getMessage().contains("shape [n]"), e.getMessage());
  }

  @Test
  void malformedFileIsReportedAsFormatError() throws IOException {
    writeFixtureSet(true);
    Files.write(dir.resolve("train-images-idx3-ubyte.gz"), new byte[] {0x1f, (byte) 0x8b, 8});
    KilnFormatException e = assertThrows(KilnFormatException.class, () -> FashionMnist.load(dir));
    assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz"), e.getMessage());
  }

  @Test
  void oneHotEncodesLabels() {
    float[][] oneHot = FashionMnist.oneHot(new int[] {2, 0, 9}, 10);
    assertEquals(3, oneHot.length);
    for (int i = 0; i < 3; i++) {
      assertEquals(10, oneHot[i].length);
      float sum = 0;
      for (float v : oneHot[i]) {
        sum += v;
      }
      assertEquals(1f, sum);
    }
    assertEquals(1f, oneHot[0][2]);
    assertEquals(1f, oneHot[1][0]);
    assertEquals(1f, oneHot[2][9]);
    assertEquals(0, FashionMnist.oneHot(new int[0], 3).length);
    assertThrows(IllegalArgumentException.class, () -> FashionMnist.oneHot(new int[] {10}, 10));
    assertThrows(IllegalArgumentException.class, () -> FashionMnist.oneHot(new int[] {-1}, 10));
    assertThrows(IllegalArgumentException.class, () -> FashionMnist.oneHot(new int[] {0}, 0));
  }

  @Test
  void classNames() {
    assertEquals(List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
        "Shirt", "Sneaker", "Bag", "Ankle boot"), FashionMnist.CLASS_NAMES);
    assertEquals(FashionMnist.CLASS_COUNT, FashionMnist.CLASS_NAMES.size());
    assertEquals(Path.of("/usr/share/datasets/fashion-mnist"), FashionMnist.DEFAULT_DIRECTORY);
  }

  /** Runs only where {@code dataset-fashion-mnist} is installed. */
  @Test
  void loadsTheRealDataSet() throws IOException {
    assumeTrue(FashionMnist.isAvailable(), "Fashion-MNIST is not installed in "
        + FashionMnist.DEFAULT_DIRECTORY + " (" + FashionMnist.INSTALL_COMMAND + ")");
    long start = System.nanoTime();
    FashionMnist data = FashionMnist.load();
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.println("FashionMnist.load() took " + millis + " ms");

    assertEquals(60_000, data.trainImages().length);
    assertEquals(60_000, data.trainLabels().length);
    assertEquals(10_000, data.testImages().length);
    assertEquals(10_000, data.testLabels().length);
    assertEquals(FashionMnist.IMAGE_SIZE, data.trainImages()[59_999].length);
    assertEquals(FashionMnist.IMAGE_SIZE, data.testImages()[9_999].length);
    int[] trainCounts = new int[10];
    for (int label : data.trainLabels()) {
      trainCounts[label]++; // an out-of-range label would throw here
    }
    int[] testCounts = new int[10];
    for (int label : data.testLabels()) {
      testCounts[label]++;
    }
    int[] sixThousand = new int[10];
    int[] oneThousand = new int[10];
    Arrays.fill(sixThousand, 6000);
    Arrays.fill(oneThousand, 1000);
    assertArrayEquals(sixThousand, trainCounts);
    assertArrayEquals(oneThousand, testCounts);
    assertArrayEquals(FIXTURE_LABELS, Arrays.copyOf(data.trainLabels(), 12));
    assertArrayEquals(new int[] {9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5},
        Arrays.copyOf(data.testLabels(), 12));
    assertEquals(73 / 255f, data.trainImages()[0][100]);
  }
}
