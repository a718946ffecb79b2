package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The probes and flop counts that `bench` states its figures against. */
class MachineProbeTest {

  @Test
  void theMlpsFlopsAreItsProductsMultiplyAdds() {
    // Forward: 784*256 + 256*128 + 128*10 = 234,752 multiply-adds. A training step adds the weight
    // gradients (as many) and the input gradients of every layer but the first (256*128 + 128*10
    // = 34,048): 503,552 multiply-adds, 60.4 GFLOP for Fashion-MNIST's 60,000 images.
    int[] widths = {784, 256, 128, 10};
    assertEquals(2.0 * 234_752, Bench.denseFlopsPerSample(widths, false));
    assertEquals(2.0 * 503_552, Bench.denseFlopsPerSample(widths, true));
    assertEquals(60.43, Bench.denseFlopsPerSample(widths, true) * 60_000 / 1e9, 0.005);
  }

  @Test
  void theFmaProbeComputesItsChainsAndReportsAFiniteRate() {
    // Each lane runs c <- 0.999 c + 1e-4 from 1, 4096 times: 0.1 + 0.9 * 0.999^4096, in 12 chains.
    double lanes = FloatVector.SPECIES_PREFERRED.length();
    double perLane = 0.1 + 0.9 * Math.pow(0.999, MachineProbe.FMA_ITERATIONS);
    assertEquals(MachineProbe.FMA_CHAINS * lanes * perLane, MachineProbe.fmaChains(), 1e-3 * lanes);
    assertEquals(2.0 * 12 * 4096 * lanes, MachineProbe.fmaChainsFlops());
    double gflops = MachineProbe.fmaGflops();
    assertTrue(gflops > 0 && Double.isFinite(gflops), gflops + " GFLOPS");
    double gbps = MachineProbe.readGigabytesPerSecond(64 * 1024);
    assertTrue(gbps > 0 && Double.isFinite(gbps), gbps + " GB/s");
  }

  @Test
  void theProbeOnSeveralThreadsRunsThemAllAndRejectsNone() {
    double together = MachineProbe.fmaGflopsOnThreads(2);
    assertTrue(together > 0 && Double.isFinite(together), together + " GFLOPS on 2 threads");
    assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("kiln-fma-probe")),
        "the probe's threads have ended");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MachineProbe.fmaGflopsOnThreads(0));
    assertEquals("threads must be >= 1, was 0", e.getMessage());
  }
}
