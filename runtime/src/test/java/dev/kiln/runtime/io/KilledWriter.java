package dev.kiln.runtime.io;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Run in a child JVM by {@link AtomicFilesTest}: starts an atomic write of {@code args[0]}, says
 * "writing" on stdout once part of the content is in the temporary file, then waits to be killed.
 */
public final class KilledWriter {
  private KilledWriter() {}

  public static void main(String[] args) throws Exception {
    AtomicFiles.write(Path.of(args[0]), channel -> {
      AtomicFiles.writeFully(channel, ByteBuffer.wrap(new byte[1 << 16]));
      System.out.println("writing");
      System.out.flush();
      try {
        Thread.sleep(60_000); // the parent kills this process long before
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }
}
