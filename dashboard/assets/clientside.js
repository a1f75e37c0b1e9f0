// The explorer's browser-side callbacks, wired in dashboard/callbacks.py with
// ClientsideFunction(namespace="constellation", function_name=...). Dash serves every file of
// assets/ with the page.
(function () {
    // The Cytoscape instance drawn in the container `id`, or null. dash-cytoscape keeps no
    // public handle: cytoscape.js leaves its registry (`_cyreg`) on the div it renders into,
    // somewhere under the component's container.
    function cyOf(id) {
        const root = document.getElementById(id);
        if (!root) { return null; }
        for (const el of [root, ...root.querySelectorAll('div')]) {
            if (el._cyreg && el._cyreg.cy) { return el._cyreg.cy; }
        }
        return null;
    }

    const GRAPH_OF_VIEW = {neighbourhood: 'nb-graph', lineage: 'lin-graph', console: 'con-graph'};
    // The typing pause after which the search box asks for suggestions: long enough that a
    // word typed at speed sends one query, short enough that suggestions show within ~300 ms
    // of the last key on a 1M graph (the query itself takes ~100-170 ms there).
    const SEARCH_PAUSE_MS = 100;

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        constellation: {
            cyOf: cyOf,
            SEARCH_PAUSE_MS: SEARCH_PAUSE_MS,

            // Typed text: "Searching…" until the suggestions arrive.
            searchPending: function (text) {
                return {no_options_found: (text || '').trim().length >= 2
                    ? 'Searching…' : 'Type two letters or more.'};
            },

            // The search box asks the server only once typing pauses: on a big graph each
            // suggestion query scans the model names, and one per keystroke would queue up.
            debounceSearch: function (text) {
                window.__searchSeq = (window.__searchSeq || 0) + 1;
                const seq = window.__searchSeq;
                return new Promise(function (resolve) {
                    setTimeout(function () {
                        resolve(seq === window.__searchSeq
                            ? text : window.dash_clientside.no_update);
                    }, SEARCH_PAUSE_MS);
                });
            },

            // The view to mount (dashboard/layout.py): the one the state shows, when its
            // container is still empty; the server answers with its components.
            viewToMount: function (state) {
                const view = (state || {}).view;
                const box = view && document.getElementById('view-' + view);
                return box && !box.childElementCount ? view : window.dash_clientside.no_update;
            },

            // Cytoscape measures its container when it mounts; a view that was hidden then has
            // a 0x0 viewport, so refit the graph of the view that just became visible (and on a
            // new model). The state is the last argument (an Input or a State).
            refitVisibleGraph: function () {
                const state = arguments[arguments.length - 1];
                const id = GRAPH_OF_VIEW[(state || {}).view];
                if (!id) { return window.dash_clientside.no_update; }
                setTimeout(function () {
                    const cy = cyOf(id);
                    if (!cy) { return; }
                    cy.resize();
                    cy.fit(undefined, 30);
                }, 80);
                return window.dash_clientside.no_update;
            },

            // After an expansion the picture keeps its layout; if new nodes fall outside the
            // viewport, zoom out smoothly to show them (positions unchanged, only the camera).
            showAllNodes: function (elements) {
                setTimeout(function () {
                    const cy = cyOf('nb-graph');
                    if (!cy) { return; }
                    const ext = cy.extent(), bb = cy.nodes().boundingBox();
                    if (cy.nodes().length && (bb.x1 < ext.x1 || bb.x2 > ext.x2 || bb.y1 < ext.y1
                                              || bb.y2 > ext.y2)) {
                        cy.animate({fit: {eles: cy.nodes(), padding: 30}, duration: 300});
                    }
                }, 50);
                return window.dash_clientside.no_update;
            },

            // The hover line under a graph: the node's id, downloads and family (or a link's
            // relation / score), so look-alike nodes can be told apart without a click.
            hoverText: function (node, edge) {
                const ctx = window.dash_clientside.callback_context;
                const prop = (ctx.triggered[0] || {}).prop_id || '';
                const d = prop.endsWith('mouseoverEdgeData') ? edge : node;
                if (!d) { return ''; }
                if (d.hover) { return d.hover; }
                if (d.kind === 'group' || d.kind === 'lineage' || d.kind === 'likely') {
                    return d.label || '';
                }
                if (d.kind === 'similar') {
                    return 'name similarity ' + d.source + ' – ' + d.target + ' · score ' + d.score;
                }
                return d.id || '';
            },

            // Console results: the graph card was hidden when Cytoscape mounted; size it, then
            // lay out.
            layoutConsoleGraph: function (elements) {
                setTimeout(function () {
                    if (!elements || !elements.length) { return; }
                    const cy = cyOf('con-graph');
                    if (!cy) { return; }
                    cy.resize();
                    cy.layout({name: 'cose', animate: false, fit: true, padding: 30}).run();
                }, 80);
                return window.dash_clientside.no_update;
            },
        },
    });
})();
