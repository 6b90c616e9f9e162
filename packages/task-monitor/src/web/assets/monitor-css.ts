/** The monitor's one stylesheet, served at /static/monitor.css (no CDN, no framework). */
export const MONITOR_CSS = `
*,*::before,*::after{box-sizing:border-box}
:root{--fg:#1f2328;--muted:#57606a;--line:#d0d7de;--bg:#fff;--alt:#f6f8fa;--link:#0a58ca;--accent:#0550ae;--danger:#a40e26}
html{font-size:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);line-height:1.45}
a{color:var(--link)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,[tabindex]:focus-visible{outline:3px solid #1f6feb;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem}
.skip:focus{left:.5rem;z-index:10}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);border:0}
.top{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem;padding:.6rem 1.25rem;border-bottom:1px solid var(--line);background:var(--alt)}
.brand{margin:0;font-weight:700}
.brand a{color:var(--fg);text-decoration:none}
.top nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem}
.top nav a{text-decoration:none;padding:.15rem 0}
.top nav a[aria-current=page]{font-weight:700;border-bottom:2px solid var(--accent);color:var(--fg)}
.conn{margin:0 0 0 auto;font-size:.875rem;padding:.15rem .6rem;border-radius:999px;border:1px solid var(--line);background:#fff}
.conn::before{content:"";display:inline-block;width:.6rem;height:.6rem;border-radius:50%;margin-right:.4rem;background:#8c959f;vertical-align:baseline}
.conn[data-state=live]::before{background:#1a7f37}
.conn[data-state=reconnecting]::before,.conn[data-state=closed]::before{background:#cf222e}
main{padding:1rem 1.25rem 3rem;max-width:1400px}
main:focus{outline:none}
h1{font-size:1.5rem;margin:.25rem 0 .75rem;overflow-wrap:anywhere}
h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
h3{font-size:1rem;margin:1rem 0 .4rem}
.hint,.summary,.muted{color:var(--muted)}
.hint{font-size:.875rem}
code{overflow-wrap:anywhere}
.note{background:#fff8c5;border:1px solid #d4a72c;padding:.4rem .6rem;border-radius:4px}
.error{color:var(--danger);font-weight:600}
.reply:empty{display:none}
.reply{padding:.5rem .75rem;border-radius:4px;margin:.5rem 0;border:1px solid var(--line);background:var(--alt)}
.reply.ok{border-color:#1a7f37;background:#dafbe1}
.reply.failed{border-color:var(--danger);background:#ffebe9}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid var(--line);padding:.4rem .55rem;text-align:left;vertical-align:top}
thead th{background:var(--alt);white-space:nowrap}
tbody th{font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.mono,.args,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.args{max-width:22rem;overflow-wrap:anywhere}
.utc{display:block;font-size:.75rem;color:var(--muted);white-space:nowrap}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.8rem;font-weight:600;white-space:nowrap;border:1px solid transparent}
.state-online,.task-success{background:#dafbe1;color:#0f5132;border-color:#1a7f37}
.state-lost,.task-failure{background:#ffebe9;color:#82071e;border-color:#cf222e}
.state-shutdown,.task-revoked,.task-pending{background:#eaeef2;color:#24292f;border-color:#8c959f}
.task-received,.task-started,.task-retry{background:#ddf4ff;color:#0a3069;border-color:#54aeff}
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;margin:.5rem 0 1rem}
.filters.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr))}
.filters label{display:flex;flex-direction:column;font-size:.875rem;gap:.2rem}
.filters label.check{flex-direction:row;align-items:center;gap:.4rem;font-size:1rem}
.actions{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}
input,select{font:inherit;padding:.3rem .4rem;border:1px solid #8c959f;border-radius:4px;background:#fff;color:var(--fg);min-height:2.25rem}
input[type=checkbox]{min-height:auto;width:1.1rem;height:1.1rem}
input[type=number]{width:5rem}
button,.button{font:inherit;padding:.35rem .8rem;border-radius:4px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer;min-height:2.25rem;text-decoration:none;display:inline-flex;align-items:center}
button.secondary,.button.secondary{background:#fff;color:var(--accent)}
button.danger{background:var(--danger);border-color:var(--danger)}
.controls{display:flex;flex-wrap:wrap;gap:.75rem}
form.control{display:flex;flex-wrap:wrap;gap:.4rem;align-items:end;padding:.5rem;border:1px solid var(--line);border-radius:6px}
form.control label{display:flex;flex-direction:column;font-size:.8rem}
td form.control{border:0;padding:0}
.facts{display:grid;grid-template-columns:minmax(9rem,max-content) 1fr;gap:.3rem 1rem;margin:.5rem 0}
.facts dt{font-weight:600;color:var(--muted)}
.facts dd{margin:0;min-width:0;overflow-wrap:anywhere}
pre.code{margin:0;padding:.6rem;background:var(--alt);border:1px solid var(--line);border-radius:4px;overflow:auto;max-height:24rem;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85rem}
.timeline{padding-left:1.25rem}
.timeline li{margin:.25rem 0}
.pager{display:flex;gap:1rem;align-items:center;margin:.5rem 0}
.empty{color:var(--muted);font-style:italic}
section{margin-top:.5rem}
dialog{border:1px solid var(--line);border-radius:8px;padding:1rem 1.25rem;max-width:min(32rem,92vw)}
dialog::backdrop{background:rgba(0,0,0,.35)}
dialog h2{margin-top:0}
@media (max-width:640px){
  .top{padding:.5rem .75rem}
  .conn{margin-left:0}
  main{padding:.75rem .75rem 2rem}
  .facts{grid-template-columns:1fr}
  .facts dd{margin-bottom:.4rem}
  .filters.grid{grid-template-columns:1fr}
}
`;
