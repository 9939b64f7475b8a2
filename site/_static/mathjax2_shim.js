// The ipywidgets controls drawn by html-manager typeset their labels with MathJax 2's API
// (MathJax.Hub.Queue); this site loads MathJax 3. Give them that one call, on top of MathJax 3.
(function () {
  function shim() {
    var mj = window.MathJax;
    if (mj && !mj.Hub) {
      mj.Hub = {
        Queue: function (job) {
          var element = job && job[2];
          if (element && window.MathJax.typesetPromise) {
            window.MathJax.typesetPromise([element]).catch(function (err) { console.warn("MathJax:", err); });
          }
        },
      };
    }
  }
  shim();
  document.addEventListener("DOMContentLoaded", shim);
})();
