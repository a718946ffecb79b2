package dev.kiln.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.runtime.io.KilnFormatException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTest {
  static final String IRIS = """
      # Iris excerpt
      sepal_length,sepal_width,petal_length,petal_width,species
      5.1,3.5,1.4,0.2,setosa
      4.9,3.0,1.4,0.2,setosa
      7.0,3.2,4.7,1.4,versicolor
      6.3,3.3,6.0,2.5,virginica
      6.4,3.2,4.5,1.5,versicolor

      """;

  @TempDir Path dir;

  Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  @Test
  void readsIrisWithNamedClassesInFirstSeenOrder() throws IOException {
    Csv.Table t = Csv.read(write("iris.csv", IRIS), "species");
    assertEquals(List.of("sepal_length", "sepal_width", "petal_length", "petal_width"),
        t.featureNames());
    assertEquals("species", t.labelName());
    assertEquals(5, t.size());
    assertArrayEquals(new float[] {5.1f, 3.5f, 1.4f, 0.2f}, t.features()[0]);
    assertArrayEquals(new float[] {6.4f, 3.2f, 4.5f, 1.5f}, t.features()[4]);
    assertArrayEquals(new int[] {0, 0, 1, 2, 1}, t.labels());
    assertEquals(List.of("setosa", "versicolor", "virginica"), t.classes());
    assertEquals(3, t.classCount());
    assertEquals(2, t.classIndex("virginica"));
    assertEquals(-1, t.classIndex("rosa"));
    float[][] oneHot = t.oneHotLabels();
    assertArrayEquals(new float[] {0, 1, 0}, oneHot[2]);
    assertArrayEquals(new float[] {0, 0, 1}, oneHot[3]);
  }

  @Test
  void labelByIndexIncludingNegativeAndInMiddle() throws IOException {
    Path p = write("iris.csv", IRIS);
    assertArrayEquals(new int[] {0, 0, 1, 2, 1}, Csv.read(p, -1).labels());
    assertArrayEquals(new int[] {0, 0, 1, 2, 1}, Csv.read(p, 4).labels());
    Csv.Table t = Csv.read(write("mid.csv", "a,label,b\n1,0,2\n3,1,4\n"), 1);
    assertEquals(List.of("a", "b"), t.featureNames());
    assertArrayEquals(new float[] {3, 4}, t.features()[1]);
  }

  @Test
  void integerLabelsAreUsedAsIndices() throws IOException {
    Csv.Table t = Csv.read(write("n.csv", "x,y\r\n1,2\r\n2,0\r\n3,02\r\n"), "y");
    assertArrayEquals(new int[] {2, 0, 2}, t.labels());
    assertEquals(List.of("0", "1", "2"), t.classes());
    assertArrayEquals(new float[] {0, 0, 1}, t.oneHotLabels()[0]);
  }

  @Test
  void quotesSpacesAndNumberForms() throws IOException {
    Csv.Table t = Csv.read(new StringReader(
        "\"x 1\", \"y\" ,label\n -1.5e2 , \".5\", \"a, \"\"b\"\"\"\n+3.,4E-1,c\n"), "mem", "label");
    assertEquals(List.of("x 1", "y"), t.featureNames());
    assertArrayEquals(new float[] {-150f, 0.5f}, t.features()[0]);
    assertArrayEquals(new float[] {3f, 0.4f}, t.features()[1]);
    assertEquals(List.of("a, \"b\"", "c"), t.classes());
  }

  @Test
  void regressionTargetsAreNumbersAndNeverSilentlyClasses() throws IOException {
    Path houses = write("houses.csv", "rooms,price,age\n3,250.5,10\n4,-1e2,3\n2,7,1\n");
    Csv.Regression r = Csv.readRegression(houses, "price");
    assertEquals(List.of("rooms", "age"), r.featureNames());
    assertEquals("price", r.targetName());
    assertEquals(3, r.size());
    assertArrayEquals(new float[] {4, 3}, r.features()[1]);
    assertArrayEquals(new float[] {250.5f}, r.targets()[0]);
    assertArrayEquals(new float[] {-100f}, r.targets()[1]);
    assertArrayEquals(new float[] {7f}, r.targets()[2], "an integer target is a number too");
    assertArrayEquals(new float[] {10f}, Csv.readRegression(houses, -1).targets()[0]);

    // Read as classes, a column of numbers that are not class indices is ambiguous: an error.
    KilnFormatException ambiguous = assertThrows(KilnFormatException.class, () -> Csv.read(houses, "price"));
    assertEquals(houses + ": column \"price\": every label is a number but not all are class indices "
        + "(non-negative integers), e.g. \"250.5\" on line 2; for numeric targets use Csv.readRegression, for "
        + "classes write indices or names", ambiguous.getMessage());
    assertThrows(KilnFormatException.class, () -> Csv.read(new StringReader("x,y\n1,-1\n2,1\n"), "m", "y"));
    // Integer labels stay class indices and names stay names, as before.
    assertEquals(List.of("0", "1", "2", "3", "4"), Csv.read(houses, "rooms").classes().subList(0, 5));

    KilnFormatException text = assertThrows(KilnFormatException.class,
        () -> Csv.readRegression(new StringReader("x,y\n1,2\n3,cheap\n"), "mem", "y"));
    assertEquals("mem: line 3, column \"y\": \"cheap\" is not a number", text.getMessage());
  }

  void assertMalformed(String text, String label, String... expected) throws IOException {
    Path p = write("bad.csv", text);
    KilnFormatException e = assertThrows(KilnFormatException.class, () -> Csv.read(p, label));
    String m = e.getMessage();
    assertTrue(m.startsWith(p.toString() + ": "), m);
    for (String s : expected) {
      assertTrue(m.contains(s), () -> "expected \"" + s + "\" in: " + m);
    }
  }

  @Test
  void malformedInputsNameFileLineAndColumn() throws IOException {
    assertMalformed("", "y", "empty file");
    assertMalformed("# only a comment\n", "y", "empty file");
    assertMalformed("\nx,y\n1,2\n", "y", "line 1 is blank");
    assertMalformed("x,y\n", "y", "no data lines");
    assertMalformed("x,y\n1,2\n", "label", "line 1", "no label column \"label\"");
    assertMalformed("x,y\n1,0\n2,1\nabc,0\n", "y", "line 4", "column \"x\"", "\"abc\" is not a number");
    assertMalformed("x,y\n1,0\n,1\n", "y", "line 3", "column \"x\"", "empty field");
    assertMalformed("x,y\nNaN,0\n", "y", "line 2", "column \"x\"", "not a number");
    assertMalformed("x,y\n1f,0\n", "y", "line 2", "column \"x\"");
    assertMalformed("x,y\n0x10,0\n", "y", "line 2", "column \"x\"");
    assertMalformed("x,y\n1e39,0\n", "y", "line 2", "column \"x\"", "out of float range");
    assertMalformed("x,y\n1,0\n1,2,3\n", "y", "line 3 has 3 fields, expected 2");
    assertMalformed("x,y\n1,0\n1\n", "y", "line 3 has 1 fields, expected 2");
    assertMalformed("x,y\n1,\n", "y", "line 2", "column \"y\"", "empty label");
    assertMalformed("x,y\n1,0\n\n2,1\n", "y", "line 3 is blank", "line 4");
    assertMalformed("x,x,y\n1,2,0\n", "y", "line 1", "column \"x\"", "duplicate");
    assertMalformed("x,,y\n1,2,0\n", "y", "line 1", "column 2", "empty column name");
    assertMalformed("y\n1\n", "y", "no feature columns");
    assertMalformed("x,y\n\"1,0\n", "y", "line 2", "unterminated quote");
    assertMalformed("x,y\n1\"2,0\n", "y", "line 2", "quote inside");
    assertMalformed("x,y\n\"1\"2,0\n", "y", "line 2", "after closing quote");
    assertMalformed("x,y\n1,70000\n", "y", "line 2", "column \"y\"", "above the largest class");
    Path p = write("idx.csv", "x,y\n1,0\n");
    KilnFormatException e = assertThrows(KilnFormatException.class, () -> Csv.read(p, 2));
    assertTrue(e.getMessage().contains("label column index 2 is out of range"), e.getMessage());
    assertThrows(KilnFormatException.class, () -> Csv.read(p, -3));
  }

  @Test
  void invalidUtf8AndOverlongLines() throws IOException {
    Path p = dir.resolve("bin.csv");
    Files.write(p, new byte[] {'x', ',', 'y', '\n', (byte) 0xC3, '1', ',', '0', '\n'});
    KilnFormatException e = assertThrows(KilnFormatException.class, () -> Csv.read(p, "y"));
    assertTrue(e.getMessage().contains("invalid UTF-8"), e.getMessage());
    String longLine = "x,y\n" + "1".repeat(Csv.MAX_LINE_CHARS + 10) + ",0\n";
    assertMalformed(longLine, "y", "line 2 is longer than");
  }

  @Test
  void fuzzedFilesOnlyFailWithKilnFormatException() throws IOException {
    byte[] valid = IRIS.getBytes(StandardCharsets.UTF_8);
    Random random = new Random(42);
    byte[] alphabet = "0123456789.,-+eE\"# \n\rabc\u00ff".getBytes(StandardCharsets.ISO_8859_1);
    Path p = dir.resolve("fuzz.csv");
    int ok = 0;
    // The suite runs a short seeded corpus; -Dkiln.fuzz.iterations=N runs a longer campaign.
    int iterations = Integer.getInteger("kiln.fuzz.iterations", 1000);
    for (int round = 0; round < iterations; round++) {
      byte[] b = valid.clone();
      int edits = 1 + random.nextInt(4);
      for (int e = 0; e < edits; e++) {
        int at = random.nextInt(b.length);
        switch (random.nextInt(3)) {
          case 0 -> b[at] = alphabet[random.nextInt(alphabet.length)];
          case 1 -> b = Arrays.copyOf(b, at);
          default -> b[at] = (byte) random.nextInt(256);
        }
        if (b.length == 0) {
          break;
        }
      }
      Files.write(p, b);
      try {
        Csv.Table t = round % 2 == 0 ? Csv.read(p, "species") : Csv.read(p, -1);
        assertEquals(t.features().length, t.labels().length);
        ok++;
      } catch (KilnFormatException expected) {
        // fine
      } catch (IOException | RuntimeException unexpected) {
        fail("round " + round + ": " + unexpected, unexpected);
      }
    }
    assertTrue(ok > 0 && ok < iterations, "successes: " + ok);
  }
}
