package dev.kiln.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link OptimizerSteps} on the Vector API. The finiteness check rides along in registers: {@code
 * x * 0} is zero for every finite {@code x} and NaN for NaN and infinity, so a running sum of
 * those products is NaN exactly when some value was not finite. Never referenced directly:
 * {@link KernelSelector} instantiates it only when the module is present.
 */
final class VectorOptimizerSteps implements OptimizerSteps {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final ScalarOptimizerSteps SCALAR = new ScalarOptimizerSteps();

  @Override
  public boolean adam(float[] params, float[] grads, float[] m, float[] v, int from, int to,
      float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float stepSize,
      float rsqrtBc2, float epsilon, float decay, float[][] saved) {
    int vectorEnd = from + (to - from) / L * L;
    boolean finite = true;
    if (saved != null) {
      finite = adamSavingAndChecking(params, grads, m, v, from, vectorEnd, beta1, oneMinusBeta1,
          beta2, oneMinusBeta2, stepSize, rsqrtBc2, epsilon, decay, saved[0], saved[1], saved[2]);
    } else {
      for (int i = from; i < vectorEnd; i += L) {
        FloatVector g = FloatVector.fromArray(S, grads, i);
        FloatVector mi = FloatVector.fromArray(S, m, i).mul(beta1).add(g.mul(oneMinusBeta1));
        FloatVector vi = FloatVector.fromArray(S, v, i).mul(beta2).add(g.mul(oneMinusBeta2).mul(g));
        FloatVector pi = FloatVector.fromArray(S, params, i).mul(decay)
            .sub(mi.mul(stepSize).div(vi.sqrt().mul(rsqrtBc2).add(epsilon)));
        mi.intoArray(m, i);
        vi.intoArray(v, i);
        pi.intoArray(params, i);
      }
    }
    boolean tailFinite = SCALAR.adam(params, grads, m, v, vectorEnd, to, beta1, oneMinusBeta1,
        beta2, oneMinusBeta2, stepSize, rsqrtBc2, epsilon, decay, saved);
    return finite && tailFinite;
  }

  /**
   * The checked step's vector part. A method of its own so the running check vector never meets
   * another definition at a merge point: there C2 would box it (96 bytes per call).
   */
  private static boolean adamSavingAndChecking(float[] params, float[] grads, float[] m, float[] v,
      int from, int to, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
      float stepSize, float rsqrtBc2, float epsilon, float decay, float[] savedParams,
      float[] savedM, float[] savedV) {
    FloatVector nonFinite = FloatVector.zero(S);
    for (int i = from; i < to; i += L) {
      FloatVector p = FloatVector.fromArray(S, params, i);
      FloatVector mOld = FloatVector.fromArray(S, m, i);
      FloatVector vOld = FloatVector.fromArray(S, v, i);
      p.intoArray(savedParams, i);
      mOld.intoArray(savedM, i);
      vOld.intoArray(savedV, i);
      FloatVector g = FloatVector.fromArray(S, grads, i);
      FloatVector mi = mOld.mul(beta1).add(g.mul(oneMinusBeta1));
      FloatVector vi = vOld.mul(beta2).add(g.mul(oneMinusBeta2).mul(g));
      FloatVector pi = p.mul(decay).sub(mi.mul(stepSize).div(vi.sqrt().mul(rsqrtBc2).add(epsilon)));
      mi.intoArray(m, i);
      vi.intoArray(v, i);
      pi.intoArray(params, i);
      nonFinite = nonFinite.add(pi.mul(0f)).add(vi.mul(0f));
    }
    return isZero(nonFinite);
  }

  /** Whether every lane is a zero of either sign rather than NaN. */
  private static boolean isZero(FloatVector sums) {
    return sums.reduceLanes(VectorOperators.ADD) == 0f;
  }

  @Override
  public String description() {
    return "Vector API, " + L + " float lanes";
  }
}
