// Float64 dense linear algebra for Kairo's analysis labs, compiled to WebAssembly from
// Eigen 3.4 (Debian libeigen3-dev) by build.sh. Matrices are column-major; for symmetric
// input only the lower triangle is read. Every function returns 0 on success.
#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <cstdlib>

using Eigen::Map;
using Eigen::MatrixXd;
using Eigen::VectorXd;

extern "C" {

__attribute__((export_name("kairo_alloc"))) double *kairo_alloc(int count) {
  return static_cast<double *>(std::malloc(sizeof(double) * static_cast<size_t>(count)));
}

__attribute__((export_name("kairo_free"))) void kairo_free(double *p) { std::free(p); }

// Eigenvalues ascending into w; with vectors != 0, a is overwritten by the eigenvectors.
__attribute__((export_name("kairo_eigh"))) int kairo_eigh(double *a, double *w, int n, int vectors) {
  Map<MatrixXd> A(a, n, n);
  Eigen::SelfAdjointEigenSolver<MatrixXd> es(A, vectors ? Eigen::ComputeEigenvectors : Eigen::EigenvaluesOnly);
  if (es.info() != Eigen::Success) return 1;
  Map<VectorXd>(w, n) = es.eigenvalues();
  if (vectors) A = es.eigenvectors();
  return 0;
}

// Cholesky factor L (lower) in place; returns 1 if the matrix is not positive definite.
__attribute__((export_name("kairo_cholesky"))) int kairo_cholesky(double *a, int n) {
  Map<MatrixXd> A(a, n, n);
  Eigen::LLT<Eigen::Ref<MatrixXd>> llt(A);
  if (llt.info() != Eigen::Success) return 1;
  A.triangularView<Eigen::StrictlyUpper>().setZero();
  return 0;
}

// Solves L Lᵀ X = B for the m columns of b (n × m, overwritten), given the factor from kairo_cholesky.
__attribute__((export_name("kairo_cholesky_solve"))) int kairo_cholesky_solve(const double *l, double *b, int n, int m) {
  Map<const MatrixXd> L(l, n, n);
  Map<MatrixXd> B(b, n, m);
  L.triangularView<Eigen::Lower>().solveInPlace(B);
  L.transpose().triangularView<Eigen::Upper>().solveInPlace(B);
  return 0;
}
}
